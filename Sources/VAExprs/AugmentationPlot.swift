import Foundation

/// `plot aug`'s data side: real and generated cells read, checked against each other,
/// normalised together when they are counts, and embedded by a reducer.
public enum AugmentationPlot {
    /// How to normalise before embedding: the rule `evaluate` uses too.

    /// Both matrices, the generated one in the real one's gene order, with labels if given.
    package struct Input {
        /// The real cells.
        package var real: ExpressionMatrix
        /// The generated cells, in the real cells' gene order.
        package var generated: ExpressionMatrix
        /// The real cells' labels, if given.
        package var realLabels: [String]?
        /// The generated cells' labels, if given.
        package var generatedLabels: [String]?
        /// Cells in the real and generated files (more than the matrices hold when subsampled).
        package var realTotal: Int
        /// Cells in the generated file.
        package var generatedTotal: Int
        /// Genes of the real file, when only the generated cells' subset of them (a model
        /// fitted with selected genes) is compared; nil when every real gene is.
        package var realGenesBeforeSelection: Int?

        /// Cells read (or given) whole.
        package init(
            real: ExpressionMatrix, generated: ExpressionMatrix, realLabels: [String]?, generatedLabels: [String]?,
            realTotal: Int, generatedTotal: Int, realGenesBeforeSelection: Int? = nil
        ) {
            self.real = real
            self.generated = generated
            self.realLabels = realLabels
            self.generatedLabels = generatedLabels
            self.realTotal = realTotal
            self.generatedTotal = generatedTotal
            self.realGenesBeforeSelection = realGenesBeforeSelection
        }
    }

    /// Where the cells and their labels come from, and how many to use.
    public struct Sources {
        /// The real cells: CSV/TSV (.gz), a 10x folder, an .h5ad or a Cell Ranger .h5.
        public var real: String
        /// The generated cells, with the same genes.
        public var generated: String
        /// Label files (`cell,label,...`); without one, an `.h5ad`'s obs column `labelColumn`
        /// is used when a label column was named.
        public var realLabels: String?
        /// The generated cells' label file (generate's labels output).
        public var generatedLabels: String?
        /// The label column; nil means `label` in label files and no obs labels.
        public var labelColumn: String?
        /// The CSV/TSV files have genes in rows.
        public var genesInRows = false
        /// At most this many cells of each file, a seeded uniform subsample above it.
        public var maxCells = CellSubsample.defaultMaxCells
        /// Seed of the subsamples.
        public var seed: UInt64 = 1

        /// Sources with the defaults of `plot aug` and `evaluate` for what is not given.
        public init(
            real: String, generated: String, realLabels: String? = nil, generatedLabels: String? = nil,
            labelColumn: String? = nil, genesInRows: Bool = false, maxCells: Int = CellSubsample.defaultMaxCells,
            seed: UInt64 = 1
        ) {
            self.real = real
            self.generated = generated
            self.realLabels = realLabels
            self.generatedLabels = generatedLabels
            self.labelColumn = labelColumn
            self.genesInRows = genesInRows
            self.maxCells = maxCells
            self.seed = seed
        }
    }

    /// Reads the inputs (a seeded subsample of each file above `maxCells`); the generated
    /// genes must be the real ones (in any order).
    package static func load(_ sources: Sources) throws -> Input {
        let realPath = sources.real, generatedPath = sources.generated
        let real = try CellSubsample.read(
            realPath, genesInRows: sources.genesInRows, maxCells: sources.maxCells, seed: sources.seed)
        // Another stream for the generated file, so two files of equal size do not share rows.
        let generatedCells = try CellSubsample.read(
            generatedPath, genesInRows: sources.genesInRows, maxCells: sources.maxCells,
            seed: sources.seed &+ 0x9E37_79B9)
        // Cells of a model fitted on selected genes (--top-genes) carry those genes only: the
        // real cells are compared on them.
        var realMatrix = real.matrix
        var realGenesBeforeSelection: Int? = nil
        let realPosition = Dictionary(
            realMatrix.geneNames.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let generatedGenes = generatedCells.matrix.geneNames
        if generatedGenes.count < realMatrix.geneNames.count, generatedGenes.allSatisfy({ realPosition[$0] != nil }) {
            realGenesBeforeSelection = realMatrix.geneNames.count
            realMatrix = realMatrix.selectingGenes(generatedGenes.map { realPosition[$0]! })
        }
        let generated = try matching(
            generatedCells.matrix, genes: realMatrix.geneNames, path: generatedPath, reference: realPath)
        let realLabels = try labels(of: real, path: realPath, file: sources.realLabels, column: sources.labelColumn)
        let generatedLabels = try labels(
            of: generatedCells, path: generatedPath, file: sources.generatedLabels, column: sources.labelColumn)
        return Input(
            real: realMatrix, generated: generated, realLabels: realLabels, generatedLabels: generatedLabels,
            realTotal: real.totalCells, generatedTotal: generatedCells.totalCells,
            realGenesBeforeSelection: realGenesBeforeSelection)
    }

    /// One label per cell kept: from the label file, else from the named obs column.
    private static func labels(of cells: SubsampledCells, path: String, file: String?, column: String?) throws
        -> [String]?
    {
        if let file {
            return try LabelTable.read(file).values(
                columns: [column ?? "label"], for: cells.matrix.cellIDs,
                allowExtraRows: cells.isSubsample
            ).map { $0[0] }
        }
        guard let column, let obs = cells.obs else { return nil }
        guard let values = obs[column] else {
            throw VAExprsError.usage(
                """
                \(parameter: "labelColumns"): \(path) has no obs column '\(column)'; its obs columns: \
                \(obs.keys.sorted().joined(separator: ", "))
                """
            )
        }
        return values
    }

    /// `m` (read from `path`) with its genes in the order of `genes`, the genes of the cells
    /// read from `reference`; an error naming both files when the gene sets differ.
    /// With `allowingExtraGenes`, genes of `m` beyond `genes` are dropped instead.
    package static func matching(
        _ m: ExpressionMatrix, genes: [String], path: String, reference: String,
        allowingExtraGenes: Bool = false
    ) throws -> ExpressionMatrix {
        let position = Dictionary(m.geneNames.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let missing = genes.filter { position[$0] == nil }
        let wanted = Set(genes)
        let extra = allowingExtraGenes ? [] : m.geneNames.filter { !wanted.contains($0) }
        if allowingExtraGenes && missing.isEmpty && m.geneNames.count > genes.count {
            return m.selectingGenes(genes.map { position[$0]! })
        }
        if !missing.isEmpty || !extra.isEmpty {
            var parts: [String] = []
            if !missing.isEmpty {
                parts.append(
                    "\(missing.count) real gene(s) missing from it, e.g. \(missing.prefix(3).joined(separator: ", "))")
            }
            if !extra.isEmpty {
                parts.append(
                    "\(extra.count) gene(s) the real cells lack, e.g. \(extra.prefix(3).joined(separator: ", "))")
            }
            throw VAExprsError.badData(
                """
                \(path): its genes do not match \(reference): \(parts.joined(separator: "; ")); compare cells of \
                the same genes (generate from a model trained on these cells)
                """
            )
        }
        return reordered(m, genes: genes)
    }

    /// `m` with its columns in the order of `genes` (which must all be among its genes).
    package static func reordered(_ m: ExpressionMatrix, genes: [String]) -> ExpressionMatrix {
        guard m.geneNames != genes else { return m }
        let position = Dictionary(m.geneNames.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let order = genes.map { position[$0]! }
        let source = m.dense()
        var values = Matrix(rows: source.rows, columns: order.count)
        for i in 0..<values.rows { for (j, k) in order.enumerated() { values[i, j] = source[i, k] } }
        return ExpressionMatrix(cellIDs: m.cellIDs, geneNames: genes, values: values)
    }

    /// Cells (real first) and their joint embedding.
    package static func embed(
        _ input: Input, reducer: any Reducer, components: Int?, topGenes: Int, normalization: Normalization,
        rng: inout SeededGenerator
    ) throws -> (cells: [AugmentationFigure.Cell], embedding: Embedding) {
        let real = input.real.dense(), generated = input.generated.dense()
        let combined = ExpressionMatrix(
            cellIDs: input.real.cellIDs + input.generated.cellIDs, geneNames: input.real.geneNames,
            values: Matrix(
                rows: real.rows + generated.rows, columns: real.columns,
                storage: real.storage + generated.storage))
        let lognorm = normalization.logNormalizes(real: input.real)
        var values = DoubleMatrix(combined.dense())
        if lognorm {
            guard values.storage.allSatisfy({ $0 >= 0 }) else {
                throw VAExprsError.badData(
                    """
                    \(parameter: "normalization") lognorm needs non-negative values; the generated cells have \
                    negative ones (use \(parameter: "normalization") none)
                    """
                )
            }
            values = DoubleMatrix(try LogNormalization.normalized(combined, source: "real + generated cells"))
        }
        let (embedding, _) = try Reduction.embed(
            values, reducer: reducer, components: components, topFeatures: topGenes, rng: &rng)
        let cells =
            input.real.cellIDs.enumerated().map { i, id in
                AugmentationFigure.Cell(id: id, generated: false, label: input.realLabels?[i])
            }
            + input.generated.cellIDs.enumerated().map { i, id in
                AugmentationFigure.Cell(id: id, generated: true, label: input.generatedLabels?[i])
            }
        return (cells, embedding)
    }
}
