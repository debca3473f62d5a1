import Foundation
import Testing
import VAExprsTestSupport

/// An output that is one of the command's inputs (however spelled: `./`, a hard link), or two
/// outputs on one path, is refused before any work, and the input is left as it was.
@Suite(.serialized) struct OutputSafetyCLITests {
    let dir = TestPaths.scratch("outputs")

    func data() -> (counts: String, labels: String) {
        var text = "cell," + (1...12).map { "g\($0)" }.joined(separator: ",") + "\n", labels = "cell,label\n"
        for i in 1...40 {
            text += "c\(i)," + (1...12).map { j in String((i * 3 + j * 5) % 11) }.joined(separator: ",") + "\n"
            labels += "c\(i),\(i % 2 == 0 ? "A" : "B")\n"
        }
        return (TestPaths.write(text, "counts.csv", in: dir), TestPaths.write(labels, "labels.csv", in: dir))
    }

    func expectRefused(_ arguments: [String], mentions: [String], unchanged paths: [String]) throws {
        let before = paths.map { FileManager.default.contents(atPath: $0) }
        let r = try CLIRunner.run(arguments, in: dir)
        #expect(r.status == 64, "\(arguments): status \(r.status), \(r.stderr)")
        for m in mentions { #expect(r.stderr.contains(m), "\(arguments): '\(r.stderr)' should mention '\(m)'") }
        #expect(paths.map { FileManager.default.contents(atPath: $0) } == before, "\(arguments) changed an input")
    }

    @Test func outputsNeverReplaceInputsOrEachOther() throws {
        let (counts, labels) = data()
        let model = dir + "/m.vaexprs"
        let fit = try CLIRunner.run([
            "fit", "--counts", counts, "--labels", labels, "--epochs", "1", "--encoder", "dense:8:relu",
            "--decoder", "dense:8:relu", "--output", model
        ])
        #expect(fit.status == 0, "\(fit.stderr)")
        try expectRefused(
            ["fit", "--counts", counts, "--epochs", "1", "--output", counts], mentions: ["--output", "--counts"],
            unchanged: [counts])
        try expectRefused(
            ["fit", "--counts", counts, "--labels", labels, "--epochs", "1", "--output", "./labels.csv"],
            mentions: ["--labels"],
            unchanged: [labels])
        try expectRefused(
            ["generate", model, "--num-samples", "5", "--output", model], mentions: ["the model"], unchanged: [model])
        try expectRefused(
            ["generate", model, "--num-samples", "5", "--output", dir + "/g.csv", "--labels-output", dir + "/g.csv"],
            mentions: ["--output", "--labels-output"], unchanged: [model])
        try expectRefused(
            ["generate", model, "--num-samples", "5", "--output", dir + "/g.csv", "--latent-output", model],
            mentions: ["--latent-output"], unchanged: [model])
        // A hard link is the same file under another name.
        let link = dir + "/link.svg"
        try? FileManager.default.removeItem(atPath: link)
        #expect(Foundation.link(model, link) == 0)
        try expectRefused(["plot", "model", model, "--output", link], mentions: ["--output"], unchanged: [model])
        try expectRefused(["plot", "history", model, "--output", link], mentions: ["--output"], unchanged: [model])
        try expectRefused(
            [
                "reduce", "--method", "pca", "--input", counts, "--output",
                dir + "/../" + (dir as NSString).lastPathComponent + "/counts.csv"
            ],
            mentions: ["--input"], unchanged: [counts])
        try expectRefused(
            [
                "reduce", "--method", "pca", "--input", counts, "--output", dir + "/p.csv", "--metadata-output",
                dir + "/p.csv"
            ],
            mentions: ["--metadata-output"], unchanged: [counts])
        // A label file whose name a figure could also have.
        let figureNamed = TestPaths.write(try String(contentsOfFile: labels, encoding: .utf8), "labels.svg", in: dir)
        try expectRefused(
            [
                "plot", "aug", "--real", counts, "--generated", counts, "--labels", labels, "--generated-labels",
                figureNamed,
                "--output", figureNamed
            ], mentions: ["--generated-labels"], unchanged: [figureNamed])
        try expectRefused(
            ["gmm", "--input", counts, "--samples", "3", "--samples-output", counts], mentions: ["--samples-output"],
            unchanged: [counts])
        // Nothing was left behind by the refused commands.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter {
            $0.hasPrefix(".") || $0 == "g.csv" || $0 == "p.csv"
        }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    /// A small conditional model fitted in a new folder `name` of the scratch folder; returns
    /// the folder and the model's path.
    func fittedModel(in name: String) throws -> (work: String, model: String) {
        let (counts, labels) = data()
        let work = dir + "/" + name
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let model = work + "/m.vaexprs"
        let fit = try CLIRunner.run([
            "fit", "--counts", counts, "--labels", labels, "--epochs", "1", "--encoder", "dense:8:relu",
            "--decoder", "dense:8:relu", "--output", model
        ])
        #expect(fit.status == 0, "\(fit.stderr)")
        return (work, model)
    }

    /// Issue 14: a command's outputs land together or not at all (a failing `--evaluate` runs
    /// before anything is renamed into place); FIFOs, devices and folders are never replaced by
    /// a file; `--format` must agree with the extension; figure sizes are bounded.
    @Test func outputsAreAllOrNothingAndSpecialFilesAreNeverReplaced() throws {
        let (work, model) = try fittedModel(in: "all-or-nothing")
        let (counts, _) = data()
        func outputs() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: work)) ?? []).filter { $0 != "m.vaexprs" }.sorted()
        }
        let generate = [
            "generate", model, "--num-samples", "20", "--output", work + "/g.csv", "--latent-output", work + "/z.csv"
        ]
        // A missing reference is caught before any work; a reference without the model's genes
        // only once the cells exist, and still nothing is written.
        let missing = try CLIRunner.run(generate + ["--evaluate", work + "/absent.csv"])
        #expect(missing.status == 66 && missing.stderr.contains("--evaluate"), "\(missing.stderr)")
        let otherGenes = TestPaths.write("cell,x,y\nc1,1,2\n", "other.csv", in: dir)
        let wrong = try CLIRunner.run(generate + ["--evaluate", otherGenes])
        #expect(wrong.status == 65 && wrong.stderr.contains("lacks some of the model's genes"), "\(wrong.stderr)")
        #expect(outputs().isEmpty, "\(outputs())")
        let good = try CLIRunner.run(generate + ["--evaluate", counts])
        #expect(good.status == 0 && good.stdout.contains("wrote"), "\(good.stderr)")
        #expect(outputs() == ["g.csv", "g_labels.csv", "z.csv"], "\(outputs())")

        // A FIFO, a device and a folder where a file would go: refused, left as they were.
        let fifo = work + "/pipe.csv"
        #expect(mkfifo(fifo, 0o644) == 0 && mkfifo(work + "/pipe.svg", 0o644) == 0)
        try FileManager.default.createDirectory(atPath: work + "/folder.csv", withIntermediateDirectories: true)
        for (path, says) in [(fifo, "is a FIFO"), ("/dev/full", "is a device"), (work + "/folder.csv", "is a folder")] {
            let r = try CLIRunner.run(["generate", model, "--num-samples", "5", "--output", path], timeLimit: 120)
            #expect(!r.timedOut && r.status == 73 && r.stderr.contains(says), "\(path): \(r.stderr)")
            let p = try CLIRunner.run(
                ["plot", "model", model, "--format", "svg", "--output", path == fifo ? work + "/pipe.svg" : path],
                timeLimit: 120)
            #expect(!p.timedOut && p.status != 0, "\(path): plot model should refuse")
        }
        var info = stat()
        #expect(lstat(fifo, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
        #expect(lstat(work + "/pipe.svg", &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
        #expect(lstat("/dev/full", &info) == 0 && info.st_mode & S_IFMT == S_IFCHR)

        // --format and the extension must agree; sizes stay within what PDF and cairo allow.
        let refusals: [([String], String)] = [
            (
                ["generate", model, "--num-samples", "5", "--format", "h5ad", "--output", work + "/x.csv"],
                "disagrees with the extension"
            ),
            (["plot", "model", model, "--format", "png", "--output", work + "/x.svg"], "disagrees with the extension"),
            (["plot", "history", model, "--format", "png", "--output", work + "/x.svg"], "writes .png files"),
            (["plot", "history", model, "--output", work + "/x.pdf", "--width", "0"], "--width 0.0 is outside"),
            (["plot", "history", model, "--output", work + "/x.pdf", "--height", "nan"], "--height nan is outside"),
            (["plot", "history", model, "--output", work + "/x.pdf", "--width", "1e9"], "is outside"),
            (
                ["plot", "history", model, "--output", work + "/x.png", "--format", "png:scale=16", "--width", "14000"],
                "is outside what png allows"
            )
        ]
        for (arguments, message) in refusals {
            let r = try CLIRunner.run(arguments)
            #expect(
                r.status == 64 && r.stderr.contains(message),
                "\(arguments.joined(separator: " ")): \(r.status) \(r.stderr)")
        }
        #expect(outputs() == ["folder.csv", "g.csv", "g_labels.csv", "pipe.csv", "pipe.svg", "z.csv"], "\(outputs())")
    }

    /// SIGTERM or SIGINT in the middle of writing leaves neither the output nor its hidden
    /// temporary behind.
    @Test(arguments: [SIGTERM, SIGINT]) func anInterruptedGenerateLeavesNoTemporaries(signal: Int32) throws {
        let (work, model) = try fittedModel(in: "interrupt\(signal)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLIRunner.binary)
        process.arguments = ["generate", model, "--num-samples", "50000000", "--output", work + "/big.csv.gz"]
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        func temporaries() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: work)) ?? []).filter { $0.contains(".tmp-") }
        }
        var waited = 0
        while temporaries().isEmpty && waited < 200 && process.isRunning {
            usleep(50_000)
            waited += 1
        }
        #expect(!temporaries().isEmpty, "no temporary appeared while generating")
        kill(process.processIdentifier, signal)
        // Never hang the suite: after 20 s the process is killed outright, and that is a failure.
        var ticks = 0
        while process.isRunning && ticks < 400 {
            usleep(50_000)
            ticks += 1
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            Issue.record("generate did not end on signal \(signal)")
        }
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == signal)
        #expect(temporaries().isEmpty, "left \(temporaries())")
        #expect(!FileManager.default.fileExists(atPath: work + "/big.csv.gz"))
        #expect(!FileManager.default.fileExists(atPath: work + "/big_labels.csv"))
    }
}
