import Foundation
import Testing
import VAExprsTestSupport

/// `vaexprs info`, and the kernel selection end to end: a machine whose OpenBLAS falls back to
/// its generic kernels (emulated) gets the CPU's best kernels and trains the very same model.
@Suite(.serialized) struct InfoCLITests {
    let dir = TestPaths.scratch("info")

    func info(_ environment: [String: String]) throws -> [String: Any] {
        let run = try CLIRunner.run(["info", "--json"], environment: environment)
        #expect(run.status == 0, "\(run.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    }

    @Test func textNamesTheCPUTheKernelAndTheThreads() throws {
        let run = try CLIRunner.run(["info"])
        #expect(run.status == 0, "\(run.stderr)")
        for field in ["cpu:", "features:", "blas:", "kernel:", "threads:"] {
            #expect(run.stdout.contains(field), "\(field) missing:\n\(run.stdout)")
        }
        // The thread option is named as this command line names it (it read ‹threads› before 0.11).
        #expect(run.stdout.contains("--threads sets it") && !run.stdout.contains("\u{2039}"), "\(run.stdout)")
        let bad = try CLIRunner.run(["info", "--peak", "--peak-threads", "100000"])
        #expect(bad.status != 0 && bad.stderr.contains("--peak-threads"))
    }

    @Test func theUsersCoreTypeIsRespected() throws {
        let report = try info(["OPENBLAS_CORETYPE": "Haswell"])
        let blas = try #require(report["blas"] as? [String: Any])
        #expect(blas["origin"] as? String == "set by the user (OPENBLAS_CORETYPE)")
        #expect((blas["active"] as? String)?.lowercased() == "haswell")
    }

    /// Whether this CPU has a better OpenBLAS kernel tier than the generic one (`vaexprs info`).
    static let hasVectorTierAboveSSE: Bool = {
        guard let run = try? CLIRunner.run(["info", "--json"]),
            let report = try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any],
            let tier = report["vectorTier"] as? String
        else { return false }
        return ["AVX-512", "AVX2+FMA", "AVX"].contains(tier)
    }()

    @Test(
        .enabled(
            if: ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil,
            "OPENBLAS_CORETYPE is set for the whole run"),
        .enabled(
            if: InfoCLITests.hasVectorTierAboveSSE, "the CPU has only SSE, so there is no better kernel set to select"))
    func aGenericFallbackIsReplacedAndTrainsTheSameModel() throws {
        let report = try info(["VAEXPRS_EMULATE_OPENBLAS_CORE": "Prescott"])
        let blas = try #require(report["blas"] as? [String: Any])
        #expect(blas["chosenAtLoad"] as? String == "Prescott")
        #expect(blas["origin"] as? String == "selected by VAExprs", "\(blas)")
        let normal = try info([:])
        let normalBlas = try #require(normal["blas"] as? [String: Any])
        #expect(
            (blas["active"] as? String) == (normalBlas["active"] as? String)
                || normalBlas["origin"] as? String != "chosen by OpenBLAS")

        // Same kernels, same arithmetic: the emulated machine's model is byte for byte the usual one.
        var text = "cell," + (1...40).map { "g\($0)" }.joined(separator: ",") + "\n"
        for i in 1...60 {
            text +=
                "c\(i)," + (1...40).map { j in String(Double((i * 7 + j * 13) % 17) / 4) }.joined(separator: ",") + "\n"
        }
        let data = TestPaths.write(text, "values.csv", in: dir)
        let args = [
            "fit", "--counts", data, "--preset", "original", "--epochs", "2", "--seed", "3", "--threads", "2",
            "--encoder", "dense:32:relu", "--decoder", "dense:32:relu"
        ]
        let a = try CLIRunner.run(args + ["--output", dir + "/normal.vaexprs"])
        let b = try CLIRunner.run(
            args + ["--output", dir + "/emulated.vaexprs"], environment: ["VAEXPRS_EMULATE_OPENBLAS_CORE": "Prescott"])
        #expect(a.status == 0 && b.status == 0, "\(a.stderr)\(b.stderr)")
        if normalBlas["origin"] as? String == "chosen by OpenBLAS" {
            #expect(
                FileManager.default.contents(atPath: dir + "/normal.vaexprs")
                    == FileManager.default.contents(atPath: dir + "/emulated.vaexprs"))
        }
    }
}
