import Foundation
import Testing
import VAExprsTestSupport

/// Issue 16: data-parallel fits over MPI. `mpirun -np 2` and `-np 1` with the same seed and
/// global batch give the same per-epoch losses (within 1e-5 relative, summation order aside)
/// and models whose generated cells cannot be told apart; only rank 0 writes; the model
/// records how many processes trained it. Without MPI, the error says what to install.
/// Open MPI's launcher, when installed.
let mpirunPath = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { FileManager.default.isExecutableFile(atPath: $0) }

@Suite(.serialized) struct MPICLITests {
    let dir = TestPaths.scratch("mpi")
    /// Open MPI refuses root unless told; the test machines run as root. --oversubscribe lets
    /// two ranks share fewer cores.
    static let environment = [
        "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1", "OMPI_MCA_rmaps_base_oversubscribe": "1"
    ]

    func mpirun(_ ranks: Int, _ arguments: [String]) throws -> CLIRunner.Result {
        let process = Process(), out = Pipe(), err = Pipe()
        process.executableURL = URL(fileURLWithPath: mpirunPath!)
        process.arguments = ["--oversubscribe", "-np", String(ranks), CLIRunner.binary] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(Self.environment) { $1 }
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile(),
            stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLIRunner.Result(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// One process per argument list (mpirun's MPMD form `-np 1 A : -np 1 B`), with `environment` added.
    func mpirun(each arguments: [[String]], environment: [String: String] = [:]) throws -> (
        result: CLIRunner.Result, seconds: Double
    ) {
        let process = Process(), out = Pipe(), err = Pipe()
        process.executableURL = URL(fileURLWithPath: mpirunPath!)
        process.arguments =
            ["--oversubscribe"]
            + arguments.enumerated().flatMap { k, a in (k > 0 ? [":"] : []) + ["-np", "1", CLIRunner.binary] + a }
        process.environment = ProcessInfo.processInfo.environment.merging(Self.environment) { $1 }.merging(environment)
        { $1 }
        process.standardOutput = out
        process.standardError = err
        let start = Date()
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile(),
            stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (
            CLIRunner.Result(
                status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                stderr: String(decoding: stderr, as: UTF8.self)), Date().timeIntervalSince(start)
        )
    }

    /// Issue 28: a plain process is a group of one, so `vaexprs fit` and `mpirun -np 1 vaexprs
    /// fit` write the same model file, byte for byte (in memory and streamed, with dropout).
    @Test(
        .enabled(
            if: mpirunPath != nil && TestPaths.hasSharedData,
            "needs Open MPI's mpirun (scripts/test.sh installs openmpi-bin) and ../shared/data"))
    func aPlainFitIsAGroupOfOne() throws {
        let counts = TestPaths.dataset("pbmc_small", "data.h5ad")
        for (name, extra) in [("memory", ["--encoder", "dense:16:relu,dropout:0.1"]), ("stream", ["--stream"])] {
            let fit =
                [
                    "fit", "--counts", counts, "--epochs", "3", "--batch-size", "16", "--validation-split", "0.2",
                    "--seed", "4"
                ] + extra
            let plain = try CLIRunner.run(fit + ["--output", dir + "/plain-\(name).vaexprs"])
            #expect(plain.status == 0, "\(plain.stderr)")
            let one = try mpirun(1, fit + ["--output", dir + "/one-\(name).vaexprs"])
            #expect(one.status == 0, "\(one.stderr)")
            let a = FileManager.default.contents(atPath: dir + "/plain-\(name).vaexprs"),
                b = FileManager.default.contents(atPath: dir + "/one-\(name).vaexprs")
            #expect(a != nil && a == b, "\(name): vaexprs fit and mpirun -np 1 wrote different models")
        }
    }

    /// Issue 27, class 2: ranks started with different data or settings stop together with one
    /// message naming the option and the rank, and write nothing; a rank that fails stops all.
    @Test(
        .enabled(
            if: mpirunPath != nil && TestPaths.hasSharedData,
            "needs Open MPI's mpirun (scripts/test.sh installs openmpi-bin) and ../shared/data"))
    func ranksThatDisagreeStopTogetherAndWriteNothing() throws {
        let counts = TestPaths.dataset("pbmc_small", "counts.csv.gz")
        let model = dir + "/disagree.vaexprs"
        let base = ["fit", "--counts", counts, "--epochs", "2", "--batch-size", "16", "--output", model]
        let cases: [(String, [String], String)] = [
            ("epochs", ["--epochs", "3"], "--epochs"), ("seed", ["--seed", "9"], "--seed"),
            ("genes", ["--top-genes", "50"], "--counts (gene ids)"), ("batch", ["--batch-size", "8"], "--batch-size")
        ]
        for (name, change, named) in cases {
            try? FileManager.default.removeItem(atPath: model)
            let (r, seconds) = try mpirun(each: [base, base + change])
            #expect(r.status == 64, "\(name): status \(r.status) \(r.stderr)")
            #expect(r.stderr.contains(named) && r.stderr.contains("rank 1 differs from rank 0"), "\(name): \(r.stderr)")
            #expect(
                r.stderr.components(separatedBy: "were not started alike").count == 2,
                "\(name): one message, from rank 0: \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: model), "\(name): a model was written")
            #expect(seconds < 60, "\(name): \(seconds) s")
        }
        // A rank that cannot read its data stops the other, which would wait in a collective.
        let (failed, seconds) = try mpirun(each: [
            base, ["fit", "--counts", dir + "/missing.csv", "--epochs", "2", "--output", model]
        ])
        #expect(failed.status != 0 && failed.stderr.contains("rank 1 of 2"), "\(failed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: model))
        #expect(seconds < 60, "\(seconds) s")
        // An empty VAEXPRS_MPI_LIBRARY is unset; a wrong one is named.
        let (empty, _) = try mpirun(each: [base, base], environment: ["VAEXPRS_MPI_LIBRARY": ""])
        #expect(empty.status == 0, "\(empty.stderr)")
        let (wrong, _) = try mpirun(each: [base, base], environment: ["VAEXPRS_MPI_LIBRARY": "/nonexistent/libmpi.so"])
        #expect(wrong.status != 0 && wrong.stderr.contains("VAEXPRS_MPI_LIBRARY"), "\(wrong.stderr)")
    }

    func history(_ model: String) throws -> [[String: Any]] {
        let r = try CLIRunner.run(["inspect", model])
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        return object["history"] as! [[String: Any]]
    }

    @Test(
        .enabled(
            if: mpirunPath != nil && TestPaths.hasSharedData,
            "needs Open MPI's mpirun (scripts/test.sh installs openmpi-bin) and ../shared/data"))
    func twoRanksTrainAsOne() throws {
        let fit = [
            "fit", "--counts", TestPaths.dataset("pbmc_small", "counts.csv.gz"), "--labels",
            TestPaths.dataset("pbmc_small", "labels.csv"),
            "--batch-size", "16", "--validation-split", "0.2", "--seed", "5"
        ]
        let two = try expectOneAndTwoRanksAgree(
            fit, name: "plain", epochs: 8, keys: ["loss", "reconstruction", "kl", "val_loss"])
        // Rank 0 alone reports and writes.
        #expect(two.stdout.components(separatedBy: "wrote ").count - 1 == 1, "\(two.stdout)")
        #expect(two.stderr.contains("training over 2 processes"))
        let inspect = try CLIRunner.run(["inspect", dir + "/plain2.vaexprs"])
        #expect(inspect.stdout.contains("\"training_processes\" : 2"), "\(inspect.stdout.prefix(400))")
        // Cells generated from the two models: as alike as two halves of real cells.
        for name in ["plain1", "plain2"] {
            let g = try CLIRunner.run([
                "generate", dir + "/\(name).vaexprs", "--num-samples", "200", "--seed", "9", "--output",
                dir + "/\(name).csv"
            ])
            #expect(g.status == 0, "\(g.stderr)")
        }
        let report = dir + "/report.json"
        let e = try CLIRunner.run([
            "evaluate", "--real", dir + "/plain1.csv", "--generated", dir + "/plain2.csv", "--repeats", "3", "--output",
            report
        ])
        #expect(e.status == 0, "\(e.stderr)")
        let r = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as! [String: Any]
        let auc = r["rf_auc"] as! Double, floor = r["rf_auc_floor"] as! Double, sd = r["rf_auc_floor_sd"] as! Double
        #expect(
            auc <= floor + 2 * sd + 0.05,
            "generated cells of the 1- and 2-rank models: RF AUC \(auc), real-vs-real floor \(floor) ± \(sd)")
    }

    /// Fits with `fit` over 1 and over 2 ranks (models `NAME1`, `NAME2`) and expects the same
    /// per-epoch `keys` within 1e-5 relative; returns the 2-rank run.
    @discardableResult
    func expectOneAndTwoRanksAgree(_ fit: [String], name: String, epochs: Int, keys: [String]) throws
        -> CLIRunner.Result
    {
        var last: CLIRunner.Result? = nil
        for ranks in [1, 2] {
            let r = try mpirun(ranks, fit + ["--epochs", String(epochs), "--output", dir + "/\(name)\(ranks).vaexprs"])
            #expect(r.status == 0, "\(r.stderr)")
            last = r
        }
        let a = try history(dir + "/\(name)1.vaexprs"), b = try history(dir + "/\(name)2.vaexprs")
        #expect(a.count == epochs && b.count == epochs)
        for (x, y) in zip(a, b) {
            for key in keys {
                let u = x[key] as! Double, v = y[key] as! Double
                #expect(
                    abs(u - v) <= 1e-5 * max(abs(u), 1e-12),
                    "\(name), epoch \(x["epoch"]!): \(key) \(u) (1 rank) vs \(v) (2 ranks)")
            }
        }
        return last!
    }

    /// Dropout masks drawn for the whole batch and batch statistics over every process: with
    /// both in the network, 2 ranks still train as 1.
    @Test(.enabled(if: mpirunPath != nil && TestPaths.hasSharedData, "needs Open MPI's mpirun and ../shared/data"))
    func dropoutAndBatchNormalisationTrainAsOne() throws {
        try expectOneAndTwoRanksAgree(
            [
                "fit", "--counts", TestPaths.dataset("pbmc_small", "counts.csv.gz"), "--batch-size", "20",
                "--encoder", "dense:32:relu,batchnorm,dropout:0.2", "--decoder", "dense:32:relu,batchnorm",
                "--no-labels", "--validation-split", "0.2", "--seed", "2"
            ],
            name: "bn", epochs: 5, keys: ["loss", "val_loss"])
    }

    /// Training streamed from disk: every process reads each buffer and trains on its share.
    @Test(.enabled(if: mpirunPath != nil && TestPaths.hasSharedData, "needs Open MPI's mpirun and ../shared/data"))
    func streamedFitsTrainAsOne() throws {
        try expectOneAndTwoRanksAgree(
            [
                "fit", "--counts", TestPaths.dataset("pbmc_small", "data.h5ad"), "--stream", "--batch-size", "16",
                "--validation-split", "0.2", "--seed", "4"
            ],
            name: "stream", epochs: 4, keys: ["val_loss"])
    }

    /// Started as an MPI process where MPI cannot be loaded: the error says what to install.
    @Test func withoutMPITheErrorSaysWhatToInstall() throws {
        let r = try CLIRunner.run(
            ["fit", "--counts", "x.csv", "--epochs", "1", "--output", dir + "/m.vaexprs"],
            environment: ["OMPI_COMM_WORLD_SIZE": "2", "VAEXPRS_MPI_LIBRARY": "/nonexistent/libmpi.so.40"])
        #expect(
            r.status == 66 && r.stderr.contains("needs MPI") && r.stderr.contains("apt-get install openmpi-bin"),
            "\(r.stderr)")
    }
}
