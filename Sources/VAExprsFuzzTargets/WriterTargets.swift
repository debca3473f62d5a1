import Foundation
import VAExprs

/// Round trips through every cell writer: a small matrix (counts or continuous values, with
/// awkward names, labels and values past each format's range) is written as CSV, TSV, gzipped
/// CSV, `.h5ad`, Cell Ranger `.h5` or a 10x folder, and must either be refused with an error
/// (leaving no file and no temporary behind) or read back equal: ids, genes, values and labels.
/// Anything else stops the process, which the fuzzer reports as a crash.
enum WriterTargets {
    /// Names that writers and readers have to survive.
    static let awkwardNames = [
        "a", "B cell", "x,y", "q\"t", "tab\there", "line\nbreak", "cr\rx", "é", "日本", "", " lead", "trail ",
        "-", "0", "nan", "NA", "%%MatrixMarket", "#", "esc\u{1B}[31m", "_index", "a/b", ".", "..."
    ]
    /// Count values, from ordinary to past every integer type.
    static let countValues: [Float] = [
        0, 0, 0, 1, 2, 3, 17, 1000, 16_777_216, 2_147_483_520, 2_147_483_648, 3e9, 1e20, -1, 0.5, .nan, .infinity
    ]

    static func run(_ bytes: [UInt8]) {
        var input = FuzzInput(bytes)
        let formats: [(name: String, format: CellOutputFormat)] = [
            ("out.csv", .csv), ("out.tsv", .csv), ("out.csv.gz", .csv),
            ("out.h5ad", .h5ad), ("out.h5", .tenXH5), ("outfolder", .mtx)
        ]
        let (name, format) = formats[input.int(below: formats.count)]
        let counts = format == .tenXH5 || format == .mtx || input.bool()
        let cells = 1 + input.int(below: 5), genes = 1 + input.int(below: 5)
        func pickName(_ fallback: String) -> String {
            switch input.int(below: 4) {
            case 0: return awkwardNames[input.int(below: awkwardNames.count)]
            case 1: return input.string()
            default: return fallback
            }
        }
        let cellIDs = (0..<cells).map { pickName("c\($0)") }
        let geneNames = (0..<genes).map { pickName("g\($0)") }
        var values = Matrix(rows: cells, columns: genes)
        for i in values.storage.indices {
            values.storage[i] =
                counts
                ? countValues[input.int(below: countValues.count)]
                : (input.bool() ? Float(bitPattern: input.raw(UInt32.self)) : Float(input.int(below: 7)) - 3)
        }
        let labelled = format != .tenXH5 && format != .mtx && input.bool()
        let labelColumn = labelled ? pickName("label") : ""
        let labels: [[String]]? = labelled ? (0..<cells).map { _ in [pickName("A")] } : nil
        var layout = CellOutputLayout(geneNames: geneNames, integerCounts: counts)
        if let labels {
            layout.labelColumns = [labelColumn]
            var categories: [String] = []
            for l in labels where !categories.contains(l[0]) { categories.append(l[0]) }
            layout.labelCategories = [categories]
        }

        let folder = FuzzTargets.scratch + "/writers"
        try? FileManager.default.removeItem(atPath: folder)
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/" + name
        do {
            let writer = try CellWriters.open(path, format: format, layout: layout)
            do {
                try writer.append(CellBlock(cellIDs: cellIDs, values: values, labels: labels))
                try writer.commit()
            } catch {
                writer.discard()
                throw error
            }
        } catch is VAExprsError {
            let left = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            guard left.isEmpty else { fatalError("a refused \(name) left \(left) behind") }
            return
        } catch {
            fatalError("\(name): an error that is not a VAExprsError: \(error)")
        }
        let left = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0 != name }
        guard left.isEmpty else { fatalError("writing \(name) left \(left) behind") }

        // Read back: what was written must be what was given.
        let read: ExpressionMatrix, obs: [String: [String]]?
        do {
            (read, obs) = try ExpressionReader.readWithAnnotations(path)
        } catch {
            fatalError(
                """
                \(name) was written but cannot be read back: \(error); cells \(cellIDs.map(\.debugDescription)), \
                genes \(geneNames.map(\.debugDescription))
                """
            )
        }
        guard read.cellIDs == cellIDs else {
            fatalError(
                """
                \(name): cell ids \(cellIDs.map(\.debugDescription)) read back as \
                \(read.cellIDs.map(\.debugDescription))
                """
            )
        }
        guard read.geneNames == geneNames else {
            fatalError(
                """
                \(name): genes \(geneNames.map(\.debugDescription)) read back as \
                \(read.geneNames.map(\.debugDescription))
                """
            )
        }
        let back = read.dense()
        for i in values.storage.indices {
            let a = values.storage[i], b = back.storage[i]
            guard a == b || (a.isNaN && b.isNaN) else {
                fatalError("\(name): value \(a) read back as \(b) (cell \(i / genes), gene \(i % genes))")
            }
        }
        if let labels, let obs {
            guard obs[labelColumn] == labels.map({ $0[0] }) else {
                fatalError(
                    """
                    \(name): labels \(labels.map { $0[0].debugDescription }) in column \
                    \(labelColumn.debugDescription) read back as \(String(describing: obs[labelColumn]))
                    """
                )
            }
        }
    }
}
