import Foundation
import Testing
import VAExprsCore
import VAExprsIO
import VAExprsTestSupport

/// Issue 27, "nothing lost, ever": one test per class of the third probe. Folder outputs never
/// delete what the user did not name; closed standard streams neither trap nor leak into files;
/// writers refuse values past their type; silently wrong results are now refused or correct;
/// plugin names cannot impersonate built-ins; messages say what is wrong; conversions of
/// outside numbers never trap and control characters are not obeyed.
@Suite(.serialized) struct DataSafetyCLITests {
    let dir = TestPaths.scratch("safety")

    /// A small count matrix with two labels, and a CVAE fitted on it (once per test that needs it).
    func countModel() throws -> (counts: String, labels: String, model: String) {
        var text = "cell," + (1...10).map { "g\($0)" }.joined(separator: ",") + "\n", labels = "cell,label\n"
        for i in 1...40 {
            text += "c\(i)," + (1...10).map { j in String((i * 7 + j * 3) % 9) }.joined(separator: ",") + "\n"
            labels += "c\(i),\(i % 2 == 0 ? "A" : "B")\n"
        }
        let counts = TestPaths.write(text, "counts.csv", in: dir),
            labelsPath = TestPaths.write(labels, "labels.csv", in: dir)
        let model = dir + "/m.vaexprs"
        if !FileManager.default.fileExists(atPath: model) {
            let fit = try CLIRunner.run([
                "fit", "--counts", counts, "--labels", labelsPath, "--epochs", "2", "--encoder", "dense:8:relu",
                "--decoder", "dense:8:relu", "--latent-dim", "2", "--output", model
            ])
            #expect(fit.status == 0, "\(fit.stderr)")
        }
        return (counts, labelsPath, model)
    }

    /// Every file and folder under `path` with its contents (folders as nil), for before/after comparisons.
    func snapshot(_ path: String) -> [String: Data?] {
        var result: [String: Data?] = [:]
        let enumerator = FileManager.default.enumerator(atPath: path)
        while let relative = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: path + "/" + relative, isDirectory: &isDirectory)
            result[relative] = isDirectory.boolValue ? nil : FileManager.default.contents(atPath: path + "/" + relative)
        }
        return result
    }

    func hidden(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix(".") }
    }

    // MARK: 1. Folder outputs

    @Test func folderOutputsNeverDeleteWhatTheUserDidNotName() throws {
        let (_, _, model) = try countModel()
        let fm = FileManager.default
        // A folder holding the user's notes and a subfolder: refused, untouched.
        let out = dir + "/out"
        try? fm.removeItem(atPath: out)
        try fm.createDirectory(atPath: out + "/sub", withIntermediateDirectories: true)
        _ = TestPaths.write("my notes", "notes.txt", in: out)
        _ = TestPaths.write("deep", "keep.txt", in: out + "/sub")
        let before = snapshot(out)
        let refused = try CLIRunner.run(["generate", model, "--num-samples", "5", "--output", out], in: dir)
        #expect(refused.status == 73, "\(refused.stderr)")
        #expect(refused.stderr.contains("notes.txt") && refused.stderr.contains("sub"), "\(refused.stderr)")
        #expect(snapshot(out) == before)
        #expect(!fm.fileExists(atPath: dir + "/out_labels.csv"))
        // A new folder (with a trailing slash: labels beside it, not inside as '_labels.csv').
        let fresh = dir + "/fresh"
        try? fm.removeItem(atPath: fresh)
        try? fm.removeItem(atPath: dir + "/fresh_labels.csv")
        let made = try CLIRunner.run(["generate", model, "--num-samples", "5", "--output", fresh + "/"], in: dir)
        #expect(made.status == 0, "\(made.stderr)")
        #expect(Set(try fm.contentsOfDirectory(atPath: fresh)) == FolderOutput.tenXFiles)
        #expect(fm.fileExists(atPath: dir + "/fresh_labels.csv"))
        // Over an earlier output: replaced file by file, with another seed's cells.
        let first = fm.contents(atPath: fresh + "/matrix.mtx.gz")
        let again = try CLIRunner.run(
            ["generate", model, "--num-samples", "5", "--seed", "2", "--output", fresh], in: dir)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(fm.contents(atPath: fresh + "/matrix.mtx.gz") != first)
        #expect(Set(try fm.contentsOfDirectory(atPath: fresh)) == FolderOutput.tenXFiles, "no temporaries left")
        // An earlier output plus one file of the user's: refused.
        _ = TestPaths.write("x", "README", in: fresh)
        let mixed = try CLIRunner.run(["generate", model, "--num-samples", "5", "--output", fresh], in: dir)
        #expect(mixed.status == 73 && mixed.stderr.contains("README"), "\(mixed.stderr)")
        // An empty folder is fine.
        let empty = dir + "/empty"
        try? fm.removeItem(atPath: empty)
        try fm.createDirectory(atPath: empty, withIntermediateDirectories: true)
        #expect(try CLIRunner.run(["generate", model, "--num-samples", "5", "--output", empty], in: dir).status == 0)
        // The working folder and its ancestors, even when empty.
        let work = dir + "/work/inner"
        try? fm.removeItem(atPath: dir + "/work")
        try fm.createDirectory(atPath: work, withIntermediateDirectories: true)
        for target in [".", "..", work, dir + "/work"] {
            let r = try CLIRunner.run(
                ["generate", model, "--num-samples", "5", "--output", target, "--labels-output", dir + "/wl.csv"],
                in: work)
            #expect(r.status == 73 && r.stderr.contains("working folder"), "\(target): \(r.stderr)")
        }
        #expect(fm.fileExists(atPath: work))
        // The model (an input) inside the output folder: refused before anything is drawn.
        let holder = dir + "/holder"
        try? fm.removeItem(atPath: holder)
        try fm.createDirectory(atPath: holder, withIntermediateDirectories: true)
        try fm.copyItem(atPath: model, toPath: holder + "/m.vaexprs")
        let inside = try CLIRunner.run(
            ["generate", holder + "/m.vaexprs", "--num-samples", "5", "--output", holder], in: dir)
        #expect(inside.status != 0 && inside.stderr.contains("m.vaexprs"), "\(inside.stderr)")
        let labelsInside = try CLIRunner.run(
            ["generate", model, "--num-samples", "5", "--output", empty, "--labels-output", empty + "/l.csv"], in: dir)
        #expect(
            labelsInside.status == 64 && labelsInside.stderr.contains("inside the output folder"),
            "\(labelsInside.stderr)")
        #expect(fm.fileExists(atPath: holder + "/m.vaexprs"))
        // A symbolic link to a folder is called one; a link to a file output folder is refused as a file.
        let link = dir + "/link"
        try? fm.removeItem(atPath: link)
        try fm.createSymbolicLink(atPath: link, withDestinationPath: out)
        let linked = try CLIRunner.run(["generate", model, "--num-samples", "5", "--output", link], in: dir)
        #expect(linked.status == 73 && linked.stderr.contains("symbolic link"), "\(linked.stderr)")
        #expect(snapshot(out) == before)
        #expect(hidden(dir).isEmpty, "temporaries left: \(hidden(dir))")
    }

    @Test func atomicCommitNeverRemovesAFolderThatHoldsAnything() throws {
        let folder = dir + "/commit"
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder + "/full", withIntermediateDirectories: true)
        _ = TestPaths.write("keep", "keep.txt", in: folder + "/full")
        // A staged folder whose destination is a folder holding a file: refused, nothing lost.
        let staged = folder + "/.staged"
        try FileManager.default.createDirectory(atPath: staged, withIntermediateDirectories: true)
        let output = AtomicOutput()
        output.adopt(StagedFile(temporary: staged, destination: folder + "/full"))
        try output.stage(text: "a", at: folder + "/a.txt")
        #expect(throws: VAExprsError.self) { try output.commit() }
        #expect(FileManager.default.contents(atPath: folder + "/full/keep.txt") == Data("keep".utf8))
        #expect(!FileManager.default.fileExists(atPath: folder + "/a.txt"), "all or nothing")
    }

    // MARK: 3. Closed standard streams

    @Test func closedStandardStreamsNeitherTrapNorLeakIntoFiles() throws {
        let (counts, labels, _) = try countModel()
        let model = dir + "/closed.vaexprs", generated = dir + "/closed.csv"
        for closing in ["2>&-", ">&-", "<&- 2>&- >&-"] {
            try? FileManager.default.removeItem(atPath: model)
            try? FileManager.default.removeItem(atPath: generated)
            let script = """
                exec \(closing)
                "$0" fit --counts "$1" --labels "$2" --epochs 2 --output "$3" && "$0" generate "$3" --num-samples 5 \
                --output "$4"
                """
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", script, CLIRunner.binary, counts, labels, model, generated]
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(closing): status \(process.terminationStatus)")
            #expect(FileManager.default.fileExists(atPath: model), "\(closing): no model")
            let text = try String(contentsOfFile: generated, encoding: .utf8)
            #expect(
                !text.contains("vaexprs") && !text.contains("latent sampler"),
                "\(closing): diagnostics inside the output")
        }
    }

    // MARK: 4. Values past a writer's type

    @Test func writersRefuseCountsPastTheirIntegerType() throws {
        let folder = dir + "/overflow"
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let layout = CellOutputLayout(geneNames: ["g1", "g2"], integerCounts: true)
        var values = Matrix(rows: 2, columns: 2)
        values.storage = [1, 2, 3, 3e9]
        for (name, format) in [("x.h5ad", CellOutputFormat.h5ad), ("x.h5", .tenXH5)] {
            let writer = try CellWriters.open(folder + "/" + name, format: format, layout: layout)
            do {
                try writer.append(CellBlock(cellIDs: ["a", "b"], values: values))
                Issue.record("\(name): 3e9 written as a 32-bit count")
            } catch let error as VAExprsError {
                #expect(error.message.contains("cell 'b', gene 'g2'"), "\(error.message)")
            }
            writer.discard()
        }
        // Text formats hold them.
        let mtx = try CellWriters.open(folder + "/m", format: .mtx, layout: layout)
        try mtx.append(CellBlock(cellIDs: ["a", "b"], values: values))
        try mtx.commit()
        #expect(try ExpressionReader.read(folder + "/m").dense().storage == values.storage)
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: folder)) == ["m"], "temporaries left")
        // fit refuses training counts beyond 2^31 - 1, which would lead there.
        let counts = TestPaths.write("cell,g1,g2\nc1,3000000000,1\nc2,1,0\nc3,2,5\n", "huge.csv", in: dir)
        let fit = try CLIRunner.run([
            "fit", "--counts", counts, "--likelihood", "nb", "--epochs", "1", "--output", dir + "/huge.vaexprs"
        ])
        #expect(fit.status == 65 && fit.stderr.contains("2³¹"), "\(fit.stderr)")
    }

    // MARK: 5. Silently wrong results

    @Test func expectedCountsAndCSVOutputsAreWrittenAsWhatTheyAre() throws {
        let (_, _, model) = try countModel()
        // --decode mean of a count model: floats in .h5ad, refused by the counts-only formats.
        let h5ad = dir + "/mean.h5ad"
        try? FileManager.default.removeItem(atPath: h5ad)
        let mean = try CLIRunner.run(["generate", model, "--num-samples", "20", "--decode", "mean", "--output", h5ad])
        #expect(mean.status == 0, "\(mean.stderr)")
        let values = try ExpressionReader.read(h5ad).dense().storage
        #expect(values.contains { $0 != $0.rounded() }, "expected counts were truncated to integers")
        for output in [dir + "/mean.h5", dir + "/meanfolder"] {
            let r = try CLIRunner.run(["generate", model, "--num-samples", "5", "--decode", "mean", "--output", output])
            #expect(r.status == 64 && r.stderr.contains("not counts"), "\(output): \(r.stderr)")
        }
        // CSV outputs named as another format, and repeated labels.
        let latent = try CLIRunner.run([
            "generate", model, "--num-samples", "5", "--output", dir + "/g.csv", "--latent-output", dir + "/lat.h5ad"
        ])
        #expect(latent.status == 64 && latent.stderr.contains("--latent-output"), "\(latent.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/lat.h5ad"))
        let twice = try CLIRunner.run(["generate", model, "--per-label", "A=5,A=3", "--output", dir + "/g.csv"])
        #expect(twice.status == 64 && twice.stderr.contains("twice"), "\(twice.stderr)")
    }

    @Test func damagedOrAmbiguousInputsAreRefusedNotConverted() throws {
        let folder = dir + "/inputs"
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // Float indices and indptr, and 2-D data.
        let floatIndices = folder + "/floatindices.h5ad"
        let file = try HDF5Writer(creating: floatIndices)
        try file.createGroup("/X")
        try file.setAttribute("/X", "encoding-type", "csr_matrix")
        try file.setAttribute("/X", "shape", integers: [2, 2])
        let d = try HDF5Writer.GrowingDataset(file, "/X/data", kind: .float32, columns: 1)
        try d.append([Float(1), 2])
        d.close()
        let i = try HDF5Writer.GrowingDataset(file, "/X/indices", kind: .float64, columns: 1)
        try i.append([0.5, 1.0])
        i.close()
        let p = try HDF5Writer.GrowingDataset(file, "/X/indptr", kind: .int64, columns: 1)
        try p.append([Int64(0), 1, 2])
        p.close()
        for (group, ids) in [("/obs", ["c0", "c1"]), ("/var", ["g0", "g1"])] {
            try file.createGroup(group)
            try file.setAttribute(group, "_index", "_index")
            try file.writeStrings(group + "/_index", ids)
        }
        try file.close()
        let r = try CLIRunner.run(["reduce", "--input", floatIndices, "--method", "pca", "--output", folder + "/p.csv"])
        #expect(r.status == 65 && r.stderr.contains("not integers"), "\(r.stderr)")
        // Categoricals: repeated categories, out-of-range codes; NaN in a numeric column is missing.
        func obsFile(_ name: String, categories: [String], codes: [Int32]) throws -> String {
            let path = folder + "/" + name
            let f = try HDF5Writer(creating: path)
            let x = try HDF5Writer.GrowingDataset(f, "/X", kind: .float32, columns: 2)
            try x.append([Float](repeating: 1, count: 6))
            x.close()
            try f.createGroup("/obs")
            try f.setAttribute("/obs", "_index", "_index")
            try f.setAttribute("/obs", "column-order", strings: ["label"])
            try f.writeStrings("/obs/_index", ["c0", "c1", "c2"])
            try f.createGroup("/obs/label")
            try f.setAttribute("/obs/label", "encoding-type", "categorical")
            try f.writeStrings("/obs/label/categories", categories)
            let c = try HDF5Writer.GrowingDataset(f, "/obs/label/codes", kind: .int32, columns: 1)
            try c.append(codes)
            c.close()
            try f.createGroup("/var")
            try f.setAttribute("/var", "_index", "_index")
            try f.writeStrings("/var/_index", ["g0", "g1"])
            try f.close()
            return path
        }
        let repeated = try obsFile("repeated.h5ad", categories: ["A", "A"], codes: [0, 1, 0])
        let rep = try CLIRunner.run(["fit", "--counts", repeated, "--epochs", "1", "--output", folder + "/m.vaexprs"])
        #expect(rep.status == 65 && rep.stderr.contains("twice"), "\(rep.stderr)")
        let outOfRange = try obsFile("range.h5ad", categories: ["A", "B"], codes: [0, 5, 1])
        let range = try CLIRunner.run([
            "fit", "--counts", outOfRange, "--epochs", "1", "--output", folder + "/m.vaexprs"
        ])
        #expect(range.status == 65 && range.stderr.contains("code 5"), "\(range.stderr)")
        // A 10x folder holding matrix.mtx and matrix.mtx.gz.
        let both = folder + "/both"
        try FileManager.default.createDirectory(atPath: both, withIntermediateDirectories: true)
        for name in ["matrix.mtx", "matrix.mtx.gz", "features.tsv", "barcodes.tsv"] {
            _ = TestPaths.write("", name, in: both)
        }
        let ambiguous = try CLIRunner.run(["reduce", "--input", both, "--method", "pca", "--output", folder + "/p.csv"])
        #expect(
            ambiguous.status == 65 && ambiguous.stderr.contains("both matrix.mtx and matrix.mtx.gz"),
            "\(ambiguous.stderr)")
        // seurat_v3 on negative (scaled) values.
        let scaled = TestPaths.write(
            "cell,g1,g2,g3\nc1,-1.5,0.2,1\nc2,0.3,-0.1,2\nc3,1.2,0.4,-1\nc4,0.1,0.1,0.1\n", "scaled.csv", in: folder)
        let seurat = try CLIRunner.run([
            "fit", "--counts", scaled, "--top-genes", "2", "--gene-selection", "seurat_v3", "--epochs", "1",
            "--output", folder + "/m.vaexprs"
        ])
        #expect(seurat.status == 64 && seurat.stderr.contains("negative"), "\(seurat.stderr)")
    }

    // MARK: 6. Plugin names

    @Test func pluginNamesCannotImpersonateBuiltIns() throws {
        for name in ["dense", "d\u{0435}nse", "Dense", "tsne-x", "1abc"] {
            let output = dir + "/scaffold-\(name.unicodeScalars.count)-\(name.hashValue & 0xFFFF)"
            try? FileManager.default.removeItem(atPath: output)
            let r = try CLIRunner.run([
                "plugin", "new", "--kind", "layer", "--language", "c", "--name", name, "--output", output
            ])
            #expect(r.status == 64 && r.stderr.contains("--name"), "\(name.debugDescription): \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: output), "\(name.debugDescription): a folder was left")
        }
    }

    // MARK: 7. Messages

    @Test func messagesSayWhatIsWrong() throws {
        let (counts, labels, model) = try countModel()
        // Label columns that an .h5ad cannot hold are refused by fit, not at generate.
        for column in ["_index", "a/b"] {
            let renamed = TestPaths.write(
                try String(contentsOfFile: labels, encoding: .utf8).replacingOccurrences(
                    of: "cell,label", with: "cell,\(column)"),
                "labels-\(column.count).csv", in: dir)
            let r = try CLIRunner.run([
                "fit", "--counts", counts, "--labels", renamed, "--label-column", column, "--epochs", "1", "--output",
                dir + "/x.vaexprs"
            ])
            #expect(r.status == 64 && r.stderr.contains("cannot name a label column"), "\(column): \(r.stderr)")
        }
        // A 240-byte file name is legal: its temporary fits NAME_MAX.
        let long = dir + "/" + String(repeating: "n", count: 240) + ".csv"
        let longRun = try CLIRunner.run([
            "generate", model, "--num-samples", "3", "--output", long, "--labels-output", dir + "/l.csv"
        ])
        #expect(longRun.status == 0, "\(longRun.stderr)")
        let tooLong = dir + "/" + String(repeating: "n", count: 300) + ".csv"
        let tooLongRun = try CLIRunner.run([
            "generate", model, "--num-samples", "3", "--output", tooLong, "--labels-output", dir + "/l.csv"
        ])
        #expect(tooLongRun.status == 73 && tooLongRun.stderr.contains("shorter name"), "\(tooLongRun.stderr)")
        // evaluate --training equal to --real says why copying was not measured.
        let generated = dir + "/gen.csv"
        #expect(
            try CLIRunner.run([
                "generate", model, "--num-samples", "40", "--output", generated, "--labels-output", dir + "/gl.csv"
            ]).status == 0)
        let e = try CLIRunner.run([
            "evaluate", "--real", counts, "--generated", generated, "--training", counts, "--repeats", "1"
        ])
        #expect(e.status == 0 && e.stderr.contains("copying was not measured"), "\(e.stderr)")
        #expect(hidden(dir).isEmpty, "temporaries left: \(hidden(dir))")
    }

    // MARK: 8. Conversions and control characters

    @Test func outsideNumbersNeverTrapAndControlCharactersAreNotObeyed() throws {
        let (counts, _, _) = try countModel()
        let tsne = try CLIRunner.run([
            "reduce", "--input", counts, "--method", "tsne:perplexity=1e300", "--output", dir + "/t.csv"
        ])
        #expect(tsne.status == 64 && tsne.stderr.contains("perplexity"), "\(tsne.stderr)")
        // Values near the limits of Double, plotted as SVG and on the terminal.
        let extreme = TestPaths.write(
            "cell,g1,g2,g3\nc1,1e300,1,2\nc2,-1e300,3,4\nc3,1e-300,5,1\nc4,2,1e300,3\nc5,1,2,3\n", "extreme.csv",
            in: dir)
        for format in ["svg", "terminal:color=false"] {
            let r = try CLIRunner.run(
                [
                    "plot", "aug", "--real", extreme, "--generated", extreme, "--method", "pca", "--normalize", "none",
                    "--format", format
                ] + (format == "svg" ? ["--output", dir + "/extreme.svg"] : []))
            #expect(r.status == 0 || r.status == 65, "\(format): status \(r.status) \(r.stderr)")
        }
        // Labels holding escape sequences reach the terminal shown, not obeyed.
        var labels = "cell,label\n"
        for i in 1...40 { labels += "c\(i),\(i % 2 == 0 ? "A\u{1B}]0;pwned\u{07}" : "B\u{1B}[2J")\n" }
        let hostile = TestPaths.write(labels, "hostile.csv", in: dir)
        let plot = try CLIRunner.run([
            "plot", "aug", "--real", counts, "--labels", hostile, "--generated", counts, "--generated-labels", hostile,
            "--method", "pca", "--format", "terminal:color=false"
        ])
        #expect(plot.status == 0, "\(plot.stderr)")
        #expect(
            !plot.stdout.contains("\u{1B}") && !plot.stderr.contains("\u{1B}"),
            "an escape sequence reached the terminal")
        // reduce --threads is checked before any thread starts.
        let threads = try CLIRunner.run([
            "reduce", "--input", counts, "--method", "pca", "--threads", "100000", "--output", dir + "/t.csv"
        ])
        #expect(threads.status == 64 && threads.stderr.contains("--threads"), "\(threads.stderr)")
    }
}
