import Foundation
import Testing
import VAExprsTestSupport

/// Issue 29: the C library (`vaexprs.h`, libVAExprsC.so, installed as libvaexprs.so) through its
/// own test program, Tests/CLibrary/test_vaexprs.c: every function and every refusal, compiled
/// by the system's C compiler against the library `swift build` made.
@Suite struct CLibraryTests {
    static let compiler = ["/usr/bin/cc", "/usr/bin/gcc"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test(.enabled(if: compiler != nil, "no C compiler (scripts/install-deps.sh installs gcc)"))
    func theCTestProgramPasses() throws {
        let build = URL(fileURLWithPath: CLIRunner.binary).deletingLastPathComponent().path
        let library = build + "/libVAExprsC.so"
        #expect(FileManager.default.fileExists(atPath: library), "\(library) is missing: run swift build first")
        let dir = TestPaths.scratch("c-library")
        let program = dir + "/test_vaexprs"
        let compile = try CLIRunner.runProcess(
            Self.compiler!,
            [
                "-std=c11", "-Wall", "-Wextra", "-Werror", "-o", program,
                TestPaths.packageRoot + "/Tests/CLibrary/test_vaexprs.c",
                "-I", TestPaths.packageRoot + "/Sources/CVAExprsAPI/include", "-L", build, "-lVAExprsC",
                "-Wl,-rpath," + build, "-lm"
            ])
        #expect(compile.status == 0, "\(compile.stderr)")
        guard compile.status == 0 else { return }
        let run = try CLIRunner.runProcess(program, [dir])
        #expect(run.status == 0 && run.stdout.contains("all checks passed"), "\(run.stdout)\(run.stderr)")
    }

    /// The library exports exactly the header's functions (exports.map, the linker's version
    /// script), so the engine's own C kernels and Swift symbols cannot clash with a host's.
    @Test func theExportListIsTheHeader() throws {
        let header = try String(
            contentsOfFile: TestPaths.packageRoot + "/Sources/CVAExprsAPI/include/vaexprs.h", encoding: .utf8)
        let map = try String(contentsOfFile: TestPaths.packageRoot + "/Sources/VAExprsC/exports.map", encoding: .utf8)
        let declared = Set(header.matches(of: #/(vaexprs_[a-z_]+)\(/#).map { String($0.1) })
        let exported = Set(map.matches(of: #/^\s+(vaexprs_[a-z_]+);/#.anchorsMatchLineEndings()).map { String($0.1) })
        #expect(declared.count == 36 && declared == exported, "\(declared.symmetricDifference(exported))")
    }
}
