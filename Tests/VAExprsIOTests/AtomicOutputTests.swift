import Foundation
import Testing
import VAExprsCore
import VAExprsIO
import VAExprsTestSupport

/// `AtomicOutput` commits a command's files all or nothing, even when a rename fails halfway.
@Suite struct AtomicOutputTests {
    @Test func nothingIsLeftWhenAStageFails() throws {
        let dir = TestPaths.scratch("atomic")
        let out = AtomicOutput()
        try out.stage(text: "a", at: dir + "/first.csv")
        #expect(throws: VAExprsError.self) { try out.stage(text: "b", at: dir + "/missing-folder/second.csv") }
        let left = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(left.isEmpty, "left behind: \(left)")
    }

    @Test func commitRenamesIntoPlace() throws {
        let dir = TestPaths.scratch("atomic")
        let out = AtomicOutput()
        try out.stage(text: "a", at: dir + "/one.csv")
        #expect(!FileManager.default.fileExists(atPath: dir + "/one.csv"))
        try out.commit()
        #expect(try String(contentsOfFile: dir + "/one.csv", encoding: .utf8) == "a")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["one.csv"])
    }

    @Test func aFailedRenameUndoesTheOthersAndRestoresWhatTheyReplaced() throws {
        let dir = TestPaths.scratch("atomic")
        let first = dir + "/a.txt", gone = dir + "/gone"
        try "old a".write(toFile: first, atomically: false, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: gone, withIntermediateDirectories: true)
        let outputs = AtomicOutput()
        try outputs.stage(text: "new a", at: first)
        try outputs.stage(text: "new b", at: gone + "/b.txt")
        try outputs.stage(text: "new c", at: dir + "/c.txt")
        // The second destination's folder disappears before the commit: its rename fails.
        try FileManager.default.removeItem(atPath: gone)
        #expect(throws: (any Error).self) { try outputs.commit() }
        #expect(try String(contentsOfFile: first, encoding: .utf8) == "old a")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["a.txt"])
    }

    @Test func severalFilesAndAFolderReplaceWhatWasThere() throws {
        let dir = TestPaths.scratch("atomic")
        try "old".write(toFile: dir + "/a.txt", atomically: false, encoding: .utf8)
        // An empty folder is replaced by a staged folder; one that holds anything never is.
        try FileManager.default.createDirectory(atPath: dir + "/matrix", withIntermediateDirectories: true)
        let staged = dir + "/.matrix.staged"
        try FileManager.default.createDirectory(atPath: staged, withIntermediateDirectories: true)
        try "x".write(toFile: staged + "/matrix.mtx", atomically: false, encoding: .utf8)
        let outputs = AtomicOutput()
        try outputs.stage(text: "new", at: dir + "/a.txt")
        outputs.adopt(StagedFile(temporary: staged, destination: dir + "/matrix"))
        try outputs.commit()
        #expect(try String(contentsOfFile: dir + "/a.txt", encoding: .utf8) == "new")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/matrix") == ["matrix.mtx"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["a.txt", "matrix"])

        let again = dir + "/.matrix.again"
        try FileManager.default.createDirectory(atPath: again, withIntermediateDirectories: true)
        let refused = AtomicOutput()
        try refused.stage(text: "newer", at: dir + "/a.txt")
        refused.adopt(StagedFile(temporary: again, destination: dir + "/matrix"))
        #expect(throws: VAExprsError.self) { try refused.commit() }
        #expect(try String(contentsOfFile: dir + "/a.txt", encoding: .utf8) == "new", "all or nothing")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/matrix") == ["matrix.mtx"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["a.txt", "matrix"])
    }

    /// A temporary is tracked (and so removable by a discard or an interruption) only once this
    /// process has created it: a path already taken is neither opened nor ever removed.
    @Test func aPathThisProcessDidNotCreateIsNeverTracked() throws {
        let dir = TestPaths.scratch("atomic")
        let taken = dir + "/.planted.tmp-1"
        try "someone else's".write(toFile: taken, atomically: false, encoding: .utf8)
        #expect(throws: VAExprsError.self) { _ = try ByteSink(taken, gzip: false) }
        #expect(!TemporaryFiles.tracked.contains(taken))
        #expect(try String(contentsOfFile: taken, encoding: .utf8) == "someone else's")
        let created = dir + "/.mine.tmp-2"
        let sink = try ByteSink(created, gzip: false)
        try sink.close()
        #expect(TemporaryFiles.tracked.contains(created))
        TemporaryFiles.remove(created)
        #expect(!TemporaryFiles.tracked.contains(created) && !FileManager.default.fileExists(atPath: created))
    }

    @Test func specialFilesAndFoldersAreRefusedAsDestinations() throws {
        let dir = TestPaths.scratch("atomic")
        #expect(mkfifo(dir + "/fifo", 0o644) == 0)
        try FileManager.default.createDirectory(atPath: dir + "/folder", withIntermediateDirectories: true)
        #expect(throws: VAExprsError.self) { try AtomicOutput.checkDestination(dir + "/fifo") }
        #expect(throws: VAExprsError.self) { try AtomicOutput.checkDestination("/dev/null") }
        #expect(throws: VAExprsError.self) { try AtomicOutput.checkDestination(dir + "/folder") }
        try AtomicOutput.checkDestination(dir + "/folder", folder: true)
        try AtomicOutput.checkDestination(dir + "/new.csv")
    }
}
