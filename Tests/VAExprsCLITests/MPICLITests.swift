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
    static let environment = ["OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1", "OMPI_MCA_rmaps_base_oversubscribe": "1"]

    func mpirun(_ ranks: Int, _ arguments: [String]) throws -> CLIRunner.Result {
        let process = Process(), out = Pipe(), err = Pipe()
        process.executableURL = URL(fileURLWithPath: mpirunPath!)
        process.arguments = ["--oversubscribe", "-np", String(ranks), CLIRunner.binary] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(Self.environment) { $1 }
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLIRunner.Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                                stderr: String(decoding: stderr, as: UTF8.self))
    }

    func history(_ model: String) throws -> [[String: Any]] {
        let r = try CLIRunner.run(["inspect", model])
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        return object["history"] as! [[String: Any]]
    }

    @Test(.enabled(if: mpirunPath != nil && TestPaths.hasSharedData, "needs Open MPI's mpirun (scripts/test.sh installs openmpi-bin) and ../shared/data"))
    func twoRanksTrainAsOne() throws {
        let fit = ["fit", "--counts", TestPaths.dataset("pbmc_small", "counts.csv.gz"), "--labels", TestPaths.dataset("pbmc_small", "labels.csv"),
                   "--batch-size", "16", "--validation-split", "0.2", "--seed", "5"]
        let two = try expectOneAndTwoRanksAgree(fit, name: "plain", epochs: 8, keys: ["loss", "reconstruction", "kl", "val_loss"])
        // Rank 0 alone reports and writes.
        #expect(two.stdout.components(separatedBy: "wrote ").count - 1 == 1, "\(two.stdout)")
        #expect(two.stderr.contains("training over 2 processes"))
        let inspect = try CLIRunner.run(["inspect", dir + "/plain2.vaexprs"])
        #expect(inspect.stdout.contains("\"training_processes\" : 2"), "\(inspect.stdout.prefix(400))")
        // Cells generated from the two models: as alike as two halves of real cells.
        for name in ["plain1", "plain2"] {
            let g = try CLIRunner.run(["generate", dir + "/\(name).vaexprs", "--num-samples", "200", "--seed", "9", "--output", dir + "/\(name).csv"])
            #expect(g.status == 0, "\(g.stderr)")
        }
        let report = dir + "/report.json"
        let e = try CLIRunner.run(["evaluate", "--real", dir + "/plain1.csv", "--generated", dir + "/plain2.csv", "--repeats", "3", "--output", report])
        #expect(e.status == 0, "\(e.stderr)")
        let r = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as! [String: Any]
        let auc = r["rf_auc"] as! Double, floor = r["rf_auc_floor"] as! Double, sd = r["rf_auc_floor_sd"] as! Double
        #expect(auc <= floor + 2 * sd + 0.05, "generated cells of the 1- and 2-rank models: RF AUC \(auc), real-vs-real floor \(floor) ± \(sd)")
    }

    /// Fits with `fit` over 1 and over 2 ranks (models `NAME1`, `NAME2`) and expects the same
    /// per-epoch `keys` within 1e-5 relative; returns the 2-rank run.
    @discardableResult
    func expectOneAndTwoRanksAgree(_ fit: [String], name: String, epochs: Int, keys: [String]) throws -> CLIRunner.Result {
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
                #expect(abs(u - v) <= 1e-5 * max(abs(u), 1e-12), "\(name), epoch \(x["epoch"]!): \(key) \(u) (1 rank) vs \(v) (2 ranks)")
            }
        }
        return last!
    }

    /// Dropout masks drawn for the whole batch and batch statistics over every process: with
    /// both in the network, 2 ranks still train as 1.
    @Test(.enabled(if: mpirunPath != nil && TestPaths.hasSharedData, "needs Open MPI's mpirun and ../shared/data"))
    func dropoutAndBatchNormalisationTrainAsOne() throws {
        try expectOneAndTwoRanksAgree(["fit", "--counts", TestPaths.dataset("pbmc_small", "counts.csv.gz"), "--batch-size", "20",
                                       "--encoder", "dense:32:relu,batchnorm,dropout:0.2", "--decoder", "dense:32:relu,batchnorm",
                                       "--no-labels", "--validation-split", "0.2", "--seed", "2"],
                                      name: "bn", epochs: 5, keys: ["loss", "val_loss"])
    }

    /// Training streamed from disk: every process reads each buffer and trains on its share.
    @Test(.enabled(if: mpirunPath != nil && TestPaths.hasSharedData, "needs Open MPI's mpirun and ../shared/data"))
    func streamedFitsTrainAsOne() throws {
        try expectOneAndTwoRanksAgree(["fit", "--counts", TestPaths.dataset("pbmc_small", "data.h5ad"), "--stream", "--batch-size", "16",
                                       "--validation-split", "0.2", "--seed", "4"],
                                      name: "stream", epochs: 4, keys: ["val_loss"])
    }

    /// Started as an MPI process where MPI cannot be loaded: the error says what to install.
    @Test func withoutMPITheErrorSaysWhatToInstall() throws {
        let r = try CLIRunner.run(["fit", "--counts", "x.csv", "--epochs", "1", "--output", dir + "/m.vaexprs"],
                                  environment: ["OMPI_COMM_WORLD_SIZE": "2", "VAEXPRS_MPI_LIBRARY": "/nonexistent/libmpi.so.40"])
        #expect(r.status == 66 && r.stderr.contains("needs MPI") && r.stderr.contains("apt-get install openmpi-bin"), "\(r.stderr)")
    }
}
