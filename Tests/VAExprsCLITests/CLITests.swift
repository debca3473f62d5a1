import Foundation
import Testing
import VAExprsTestSupport

/// The built `vaexprs` binary, end to end: the job, and every bad input the issue lists.
@Suite(.serialized) struct CLITests {
    let dir = TestPaths.scratch("cli")
    var seedsim: String { TestPaths.dataset("seedsim", "counts.csv.gz") }
    var seedLabels: String { TestPaths.dataset("seedsim", "labels.csv") }
    let small = ["--encoder", "dense:32:relu", "--decoder", "dense:32:relu"]

    @Test(.enabled(if: TestPaths.hasSharedData, "../shared/data is not present")) func fitThenGenerateACVAE() throws {
        let model = dir + "/m.vaexprs"
        let fit = try CLIRunner.run(
            [
                "fit", "--counts", seedsim, "--labels", seedLabels, "--likelihood", "gaussian",
                "--epochs", "4", "--validation-split", "0.1", "--patience", "2", "--output", model
            ] + small)
        #expect(fit.status == 0, "\(fit.stderr)")
        #expect(fit.stdout.contains("wrote \(model): CVAE"))
        #expect(fit.stderr.contains("epoch 1/4") && fit.stderr.contains("val_loss"))  // one line per epoch when piped
        let gen = try CLIRunner.run([
            "generate", model, "--num-samples", "25", "--output", dir + "/g.csv.gz",
            "--latent-output", dir + "/latent.csv", "--seed", "9"
        ])
        #expect(gen.status == 0, "\(gen.stderr)")
        let labels = try String(contentsOfFile: dir + "/g_labels.csv", encoding: .utf8).split(separator: "\n")
        #expect(labels.count == 26 && labels[0] == "cell,label" && labels[1].hasPrefix("gen1,group"))
        let latent = try String(contentsOfFile: dir + "/latent.csv", encoding: .utf8).split(separator: "\n")
        #expect(latent.count == 271 && latent[0] == "cell,z1,z2")
        let perLabel = try CLIRunner.run([
            "generate", model, "--per-label", "group1=2,group3=1", "--decode", "mean",
            "--output", dir + "/p.csv", "--labels-output", dir + "/p_labels.csv"
        ])
        #expect(perLabel.status == 0, "\(perLabel.stderr)")
        #expect(
            try String(contentsOfFile: dir + "/p_labels.csv", encoding: .utf8)
                == "cell,label\ngen1,group1\ngen2,group1\ngen3,group3\n")
        let inspect = try CLIRunner.run(["inspect", model])
        #expect(inspect.status == 0 && inspect.stdout.contains("\"restored_epoch\""))
        let quiet = try CLIRunner.run(
            ["fit", "--counts", seedsim, "--epochs", "1", "--quiet", "--output", dir + "/q.vaexprs"] + small)
        #expect(quiet.status == 0 && quiet.stderr.isEmpty)
    }

    @Test func validationFileJsonSpecAndTransposedInput() throws {
        // Genes in rows, a separate validation matrix whose labels come from the same file,
        // and the architecture from a JSON model spec.
        let train = TestPaths.write(
            "gene\tc1\tc2\tc3\tc4\ng1\t1\t2\t3\t4\ng2\t0\t5\t1\t2\ng3\t7\t7\t7\t7\n", "train.tsv", in: dir)
        // commas despite .txt: sniffed
        let validation = TestPaths.write("gene,v1,v2\ng1,2,3\ng2,1,1\ng3,7,7\n", "val.txt", in: dir)
        let labels = TestPaths.write("cell,label\nc1,A\nc2,B\nc3,A\nc4,B\nv1,A\nv2,B\n", "labels.csv", in: dir)
        let spec = TestPaths.write(
            #"{"encoder": [{"type": "dense", "units": 8, "activation": "elu"}, {"type": "dropout", "rate": 0.1}], "#
                + #""decoder": [{"type": "dense", "units": 8, "activation": "tanh"}], "latent_dim": 3, "#
                + #""likelihood": "censored_gaussian"}"#,
            "spec.json", in: dir)
        let model = dir + "/v.vaexprs"
        let fit = try CLIRunner.run([
            "fit", "--counts", train, "--genes-in-rows", "--validation", validation, "--labels", labels,
            "--model-spec", spec, "--epochs", "3", "--batch-size", "2", "--monitor", "val_loss", "--patience", "5",
            "--output", model
        ])
        #expect(fit.status == 0, "\(fit.stderr)")
        #expect(fit.stderr.contains("val_loss"))
        let inspect = try CLIRunner.run(["inspect", model])
        #expect(
            inspect.stdout.contains("\"latent_dim\" : 3") && inspect.stdout.contains("dense:activation=elu:units=8")
                && inspect.stdout.contains("censored_gaussian"))
        let gen = try CLIRunner.run(["generate", model, "--num-samples", "4", "--output", dir + "/v.csv"])
        #expect(gen.status == 0, "\(gen.stderr)")
        // The constant gene g3 comes back exactly.
        let rows = try String(contentsOfFile: dir + "/v.csv", encoding: .utf8).split(separator: "\n").dropFirst()
        #expect(rows.count == 4 && rows.allSatisfy { $0.hasSuffix(",7") })
    }

    @Test(.enabled(if: TestPaths.hasSharedData, "../shared/data is not present")) func fitsFromATenXFolder() throws {
        let model = dir + "/tenx.vaexprs"
        let fit = try CLIRunner.run(
            [
                "fit", "--counts", TestPaths.sharedData + "/pbmc_small", "--labels",
                TestPaths.dataset("pbmc_small", "labels.csv"),
                "--normalize", "lognorm", "--likelihood", "censored_gaussian", "--epochs", "3", "--quiet", "--output",
                model
            ] + small)
        #expect(fit.status == 0, "\(fit.stderr)")
        #expect(fit.stdout.contains("80 training cells × 230 genes"))
    }

    @Test(.enabled(if: TestPaths.hasSharedData, "../shared/data is not present"))
    func fitsACVAEFromAnH5adWithObsLabels() throws {
        let model = dir + "/h5ad.vaexprs"
        let h5ad = TestPaths.dataset("pbmc_small", "data.h5ad")
        let fit = try CLIRunner.run(
            [
                "fit", "--counts", h5ad, "--label-column", "label", "--normalize", "lognorm",
                "--likelihood", "censored_gaussian", "--epochs", "3", "--quiet", "--output", model
            ] + small)
        #expect(fit.status == 0, "\(fit.stderr)")
        #expect(fit.stdout.contains("CVAE, 80 training cells × 230 genes"))
        let wrong = try CLIRunner.run([
            "fit", "--counts", h5ad, "--label-column", "cluster", "--epochs", "1", "--output", dir + "/w.vaexprs"
        ])
        #expect(
            wrong.status == 64 && wrong.stderr.contains("no obs column 'cluster'")
                && wrong.stderr.contains("RNA_snn_res.1"))
    }

    @Test func gmmPrintsMclustComparableJSON() throws {
        let input = TestPaths.packageRoot + "/Tests/Fixtures/mclust/two_latent_2d.csv"
        let r = try CLIRunner.run([
            "gmm", "--input", input, "--json", "--samples", "10", "--samples-output", dir + "/draws.csv"
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(object["model"] as? String == "VII" && object["components"] as? Int == 3)
        #expect(abs((object["bic"] as! Double) - (-1068.31086971178)) < 1e-6)
        let table = object["bic_table"] as! [String: [Any]]
        #expect(table.count == 14 && table["VVE"]?.count == 9 && table["VVE"]?[8] is NSNull)
        let parameters = object["parameters"] as! [String: Any]
        #expect((parameters["pro"] as! [Double]).count == 3)
        #expect(try String(contentsOfFile: dir + "/draws.csv", encoding: .utf8).split(separator: "\n").count == 11)
        let bad = try CLIRunner.run(["gmm", "--input", input, "--models", "QQQ"])
        #expect(bad.status == 64 && bad.stderr.contains("QQQ"))
    }

    @Test func gmmBadInputs() throws {
        func run(_ text: String, _ name: String, _ extra: [String] = []) throws -> CLIRunner.Result {
            try CLIRunner.run(["gmm", "--input", TestPaths.write(text, name, in: dir)] + extra)
        }
        let cases: [(String, String, [String], Int32, String)] = [
            ("", "empty.csv", [], 65, "empty"),
            ("x,y\n1,2\nNaN,3\n", "nan.csv", [], 65, "NaN"),
            ("x,y\n1,inf\n2,3\n", "inf.csv", [], 65, "inf"),
            ("x,y\n1,2\n", "single.csv", [], 65, "single point"),
            ("x,y,z\n1,2,5\n2,1,5\n3,3,5\n4,1,5\n", "constant.csv", [], 65, "constant"),
            ("x,y\n1,2\n2,1\n3,3\n", "ok.csv", ["--components", "0..3"], 64, "--components"),
            ("x,y\n1,2\n2,1\n3,3\n", "ok2.csv", ["--samples", "5"], 64, "--samples-output")
        ]
        for (text, name, extra, status, word) in cases {
            let r = try run(text, name, extra)
            #expect(r.status == status && r.stderr.contains(word), "\(name): \(r.status) \(r.stderr)")
        }
        // Fewer points than components: the cells that cannot be fitted are NA, not an error.
        let few = try run("x,y\n0,0\n1,0.2\n0.1,1\n3,3\n3.2,2.9\n", "few.csv")
        #expect(few.status == 0 && few.stdout.contains("NA"))
    }

    @Test(.enabled(if: TestPaths.hasSharedData, "../shared/data is not present"))
    func reduceWritesEmbeddingAndMetadata() throws {
        let out = dir + "/pca.csv", meta = dir + "/pca.json"
        let r = try CLIRunner.run([
            "reduce", "--method", "pca", "--input", TestPaths.dataset("pbmc_small", "counts.csv.gz"),
            "--normalize", "lognorm", "--components", "5", "--output", out, "--metadata-output", meta
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 81 && lines[0] == "cell,dim1,dim2,dim3,dim4,dim5")
        let object =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: meta))) as! [String: Any]
        let ratio = object["explained_variance_ratio"] as! [Double]
        #expect(ratio.count == 5 && ratio == ratio.sorted(by: >) && ratio.reduce(0, +) < 1)
        #expect(object["features"] as? Int == 230)
        let bad = try CLIRunner.run([
            "reduce", "--method", "isomap", "--input", TestPaths.dataset("pbmc_small", "counts.csv.gz"), "--output",
            dir + "/t.csv"
        ])
        #expect(
            bad.status == 64 && bad.stderr.contains("pca") && !FileManager.default.fileExists(atPath: dir + "/t.csv"))
    }

    @Test(.enabled(if: TestPaths.hasSharedData, "../shared/data is not present")) func reduceWithNeighbourEmbeddings()
        throws
    {
        let input = TestPaths.dataset("pbmc_small", "counts.csv.gz")
        for method in ["tsne", "umap"] {
            let out = dir + "/\(method).csv", meta = dir + "/\(method).json"
            let r = try CLIRunner.run([
                "reduce", "--method", method, "--input", input, "--normalize", "lognorm", "--output", out,
                "--metadata-output", meta
            ])
            #expect(r.status == 0, "\(r.stderr)")
            let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
            #expect(lines.count == 81 && lines[0] == "cell,dim1,dim2")
        }
        let meta =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/tsne.json")))
            as! [String: Any]
        #expect(meta["perplexity"] as? [Double] == [16])  // scater's min(50, ⌊80/5⌋)
        let tooLarge = try CLIRunner.run([
            "reduce", "--method", "tsne", "--option", "perplexity=30", "--input", input, "--output", dir + "/big.csv"
        ])
        #expect(
            tooLarge.status == 64 && tooLarge.stderr.contains("perplexity 30.0 is too large for 80 cells"),
            "\(tooLarge.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/big.csv"))
    }

    @Test func demoRunsTheWholeJob() throws {
        let out = dir + "/demo"
        let demo = try CLIRunner.run(["demo", "--output-dir", out, "--epochs", "3", "--quiet"])
        #expect(demo.status == 0, "\(demo.stderr)")
        for file in [
            "counts.csv.gz", "labels.csv", "model.vaexprs", "generated.csv.gz", "generated_labels.csv", "latent.csv",
            "plot_aug.png", "plot_aug.html", "model.svg", "history.png", "realism.html"
        ] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + file), "\(file)")
            #expect(demo.stdout.contains(file))
        }
    }

    /// Runs a failing command; checks the exit status, the message and that no output is left.
    func expectFailure(_ arguments: [String], status: Int32, mentions: [String], output: String) throws {
        let r = try CLIRunner.run(arguments)
        #expect(r.status == status, "\(arguments): status \(r.status), stderr \(r.stderr)")
        // The error is the last thing said (fit may first say which likelihood it chose).
        let lastLine = r.stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(lastLine.hasPrefix("vaexprs: error: ") || status == 64, "\(r.stderr)")
        for m in mentions { #expect(r.stderr.contains(m), "\(arguments): '\(r.stderr)' should mention '\(m)'") }
        #expect(!FileManager.default.fileExists(atPath: output), "\(arguments) left \(output)")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty, "temporary files left: \(leftovers)")
    }

    @Test func badDataFiles() throws {
        let out = dir + "/bad.vaexprs"
        func fit(_ counts: String, _ extra: [String] = []) -> [String] {
            ["fit", "--counts", counts, "--epochs", "1", "--output", out] + extra
        }
        func file(_ text: String, _ name: String) -> String { TestPaths.write(text, name, in: dir) }
        try expectFailure(fit(dir + "/missing.csv"), status: 66, mentions: ["missing.csv", "no such file"], output: out)
        try expectFailure(fit(file("", "empty.csv")), status: 65, mentions: ["empty.csv", "empty"], output: out)
        try expectFailure(
            fit(file("cell,g1,g2\nc1,1,2\nc2,3\n", "ragged.csv")), status: 65, mentions: ["line 3", "c2"], output: out)
        try expectFailure(
            fit(file("cell,g1,g2\nc1,1,x\n", "text.csv")), status: 65, mentions: ["g2", "'x'"], output: out)
        try expectFailure(fit(file("cell,g1,g2\nc1,1,NaN\n", "nan.csv")), status: 65, mentions: ["NaN"], output: out)
        try expectFailure(fit(file("cell,g1,g2\nc1,Inf,1\n", "inf.csv")), status: 65, mentions: ["Inf"], output: out)
        try expectFailure(
            fit(file("cell,g1,g2\nc1,-1,1\nc2,1,1\n", "neg.csv"), ["--normalize", "lognorm"]), status: 65,
            mentions: ["c1", "g1", "negative", "--normalize none"], output: out)
        try expectFailure(
            fit(file("cell,g1,g1\nc1,1,1\n", "dupgene.csv")), status: 65, mentions: ["g1", "twice"], output: out)
        try expectFailure(
            fit(file("cell,g1\nc1,1\nc1,2\n", "dupcell.csv")), status: 65, mentions: ["c1", "twice"], output: out)
        try expectFailure(fit(file("cell\nc1\n", "nogenes.csv")), status: 65, mentions: ["no genes"], output: out)
        try expectFailure(fit(file("cell,g1\n", "nocells.csv")), status: 65, mentions: ["no cells"], output: out)
        let ok = file("cell,g1,g2\nc1,1,2\nc2,3,4\n", "ok.csv")
        try expectFailure(
            fit(ok, ["--labels", file("cell,label\nc1,A\nc2,B\nc3,A\n", "extra.csv")]), status: 65,
            mentions: ["'c3'", "not in the matrix"], output: out)
        try expectFailure(
            fit(ok, ["--labels", file("cell,label\nc1,A\n", "short.csv")]), status: 65,
            mentions: ["'c2'", "no label"], output: out)
        try expectFailure(
            fit(ok, ["--labels", file("cell,label\nc1,A\nc2,B\n", "l.csv"), "--label-column", "type"]), status: 64,
            mentions: ["type", "label"], output: out)
    }

    @Test func badOptions() throws {
        let out = dir + "/opt.vaexprs"
        let ok = TestPaths.write("cell,g1,g2\nc1,1,2\nc2,3,4\nc3,1,1\n", "ok.csv", in: dir)
        func fit(_ extra: [String], epochs: String = "1") -> [String] {
            ["fit", "--counts", ok, "--epochs", epochs, "--output", out] + extra
        }
        try expectFailure(fit([], epochs: "0"), status: 64, mentions: ["--epochs"], output: out)
        try expectFailure(fit(["--batch-size=0"]), status: 64, mentions: ["--batch-size"], output: out)
        try expectFailure(fit(["--latent-dim=0"]), status: 64, mentions: ["--latent-dim"], output: out)
        try expectFailure(fit(["--regularization=-1"]), status: 64, mentions: ["--regularization"], output: out)
        try expectFailure(fit(["--validation-split", "1"]), status: 64, mentions: ["--validation-split"], output: out)
        try expectFailure(fit(["--validation-split=-0.2"]), status: 64, mentions: ["--validation-split"], output: out)
        try expectFailure(fit(["--encoder", "conv:3"]), status: 64, mentions: ["conv", "dense"], output: out)
        try expectFailure(fit(["--encoder", "dense:8:swish"]), status: 64, mentions: ["swish", "relu"], output: out)
        try expectFailure(
            fit(["--likelihood", "tweedie"]), status: 64, mentions: ["tweedie", "gaussian", "nb"], output: out)
        try expectFailure(fit(["--optimizer", "adagrad"]), status: 64, mentions: ["adagrad", "adam"], output: out)
        try expectFailure(fit(["--normalize", "cpm"]), status: 64, mentions: ["cpm", "lognorm"], output: out)
        try expectFailure(
            fit(["--output", dir + "/no/such/folder/m.vaexprs"]), status: 73, mentions: ["does not exist"],
            output: dir + "/no/such/folder/m.vaexprs")
    }

    @Test func corruptedModelFile() throws {
        let model = dir + "/c.vaexprs"
        let ok = TestPaths.write("cell,g1,g2\nc1,1,2\nc2,3,4\nc3,1,1\n", "ok.csv", in: dir)
        #expect(
            try CLIRunner.run(["fit", "--counts", ok, "--epochs", "1", "--quiet", "--output", model] + small).status
                == 0)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: model))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: model))
        let out = dir + "/gen.csv"
        try expectFailure(
            ["generate", model, "--num-samples", "3", "--output", out], status: 65,
            mentions: ["c.vaexprs", "damaged model file", "checksum"], output: out)
        try expectFailure(
            ["generate", dir + "/nothing.vaexprs", "--num-samples", "3", "--output", out], status: 66,
            mentions: ["nothing.vaexprs"], output: out)
    }
}
