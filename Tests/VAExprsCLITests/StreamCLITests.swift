import Foundation
import Testing
import VAExprsTestSupport

/// `fit --stream` and the memory limit from the command line.
@Suite(.serialized) struct StreamCLITests {
    let dir = TestPaths.scratch("stream-cli")
    let h5ad = TestPaths.dataset("pbmc_small", "data.h5ad")
    let small = ["--encoder", "dense:16:relu", "--decoder", "dense:16:relu", "--epochs", "2", "--quiet"]

    @Test func streamedFitFromObsLabelsThenGenerate() throws {
        let model = dir + "/s.vaexprs"
        let fit = try CLIRunner.run(
            [
                "fit", "--counts", h5ad, "--stream", "--label-column", "label", "--validation-split", "0.2",
                "--output", model
            ] + small)
        #expect(fit.status == 0, "\(fit.stderr)")
        #expect(fit.stdout.contains("CVAE, 64 training cells × 230 genes"), "\(fit.stdout)")
        let inspect = try CLIRunner.run(["inspect", model])
        #expect(inspect.stdout.contains("trained streamed from"), "\(inspect.stdout)")
        let generate = try CLIRunner.run(["generate", model, "--num-samples", "50", "--output", dir + "/g.h5ad"])
        #expect(generate.status == 0, "\(generate.stderr)")
    }

    @Test func dataAboveTheMemoryLimitAreStreamedAndSaySo() throws {
        let fit = try CLIRunner.run([
            "fit", "--counts", h5ad, "--memory-limit", "10K", "--encoder", "dense:16:relu",
            "--decoder", "dense:16:relu", "--epochs", "1", "--output", dir + "/auto.vaexprs"
        ])
        #expect(fit.status == 0, "\(fit.stderr)")
        #expect(
            fit.stderr.contains("more than the memory limit of 10 KB") && fit.stderr.contains("streaming the cells"),
            "\(fit.stderr)")
        let roomy = try CLIRunner.run(
            ["fit", "--counts", h5ad, "--memory-limit", "1G", "--output", dir + "/mem.vaexprs"] + small)
        #expect(roomy.status == 0 && !roomy.stderr.contains("streaming"), "\(roomy.stderr)")
    }

    /// Issue 28: a streamed fit selects `--top-genes` in passes over the file, the same genes a
    /// fit in memory selects from the same training cells (Seurat v3 and dispersion flavours).
    @Test func streamedFitsSelectTheSameTopGenesAsInMemory() throws {
        for flavor in ["seurat_v3", "dispersion"] {
            var genes: [[String]] = []
            for mode in [["--stream"], ["--memory-limit", "1G"]] {
                let model = dir + "/top-\(flavor)-\(mode.count).vaexprs",
                    cells = dir + "/top-\(flavor)-\(mode.count).csv"
                let fit = try CLIRunner.run(
                    [
                        "fit", "--counts", h5ad, "--likelihood", "nb", "--top-genes", "50", "--gene-selection", flavor,
                        "--validation-split", "0.2", "--output", model
                    ] + mode + small)
                #expect(fit.status == 0, "\(flavor) \(mode): \(fit.stderr)")
                let generate = try CLIRunner.run(["generate", model, "--num-samples", "3", "--output", cells])
                #expect(generate.status == 0, "\(generate.stderr)")
                let header =
                    try String(contentsOfFile: cells, encoding: .utf8).split(separator: "\n").first.map(String.init)
                    ?? ""
                genes.append(header.split(separator: ",").dropFirst().map(String.init))
                let inspect = try CLIRunner.run(["inspect", model])
                #expect(inspect.stdout.contains("\"genes\" : 50"), "\(inspect.stdout.prefix(300))")
            }
            #expect(
                genes[0].count == 50 && genes[0] == genes[1],
                "\(flavor): streamed \(genes[0].prefix(5)) vs in memory \(genes[1].prefix(5))")
        }
    }

    @Test func whatCannotBeStreamedIsRefusedWithWhatToDo() throws {
        let cases: [([String], [String])] = [
            (
                ["--counts", TestPaths.dataset("pbmc_small", "counts.csv.gz"), "--stream"],
                ["--stream reads an .h5ad", "write it as .h5ad"]
            ),
            (
                ["--counts", h5ad, "--memory-limit", "10K", "--validation", h5ad],
                ["--validation-split", "raise --memory-limit"]
            ),
            (["--counts", h5ad, "--stream", "--likelihood", "gaussian"], ["count likelihood"]),
            (["--counts", h5ad, "--memory-limit", "0"], ["--memory-limit must be a size"])
        ]
        for (arguments, mentions) in cases {
            let run = try CLIRunner.run(["fit"] + arguments + ["--output", dir + "/x.vaexprs"] + small)
            #expect(run.status != 0, "\(arguments)")
            for m in mentions { #expect(run.stderr.contains(m), "\(arguments): \(run.stderr)") }
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/x.vaexprs"))
    }
}
