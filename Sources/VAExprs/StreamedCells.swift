import Foundation

/// Count cells streamed from a file (`.h5ad` with CSR `X`, or a Cell Ranger `.h5`), a block of
/// consecutive cells at a time, so that memory is one buffer of cells plus a few numbers per
/// cell (library size, label group, latent mean), whatever the number of cells.
///
/// Gene ranking passes over the training cells in file order (moments, then Seurat v3's
/// clipped moments: the genes ranked in memory); one more pass checks the counts and takes
/// each cell's library size and the even sample; training passes read chunks in a seeded
/// shuffled order (`StreamedCounts`), validation cells streamed too.
final class StreamedCells: FitCellSource {
    private let file: SparseRowFile
    let labels: [[String]]?
    private let chunkCells: Int
    private let bufferBytes: Int
    private var state: (plan: FitPlan, libraries: [Float], kept: [Int]?)?

    /// Cells of `file` with their labels (one row per cell), read `chunkCells` at a time and
    /// shuffled in buffers of about `bufferBytes` of stored counts.
    /// - Throws: `VAExprsError` when the file has no cells or genes, labels do not match, or
    ///   the chunk size is not positive.
    init(_ file: SparseRowFile, labels: [[String]]?, chunkCells: Int, bufferBytes: Int) throws {
        guard file.rowCount > 0 else { throw VAExprsError.badData("\(file.path): the matrix has no cells") }
        guard file.columnCount > 0 else { throw VAExprsError.badData("\(file.path): the matrix has no genes") }
        if let labels, labels.count != file.rowCount {
            throw VAExprsError.badData("\(file.path): \(file.rowCount) cells but \(labels.count) labels")
        }
        guard chunkCells > 0 else {
            throw VAExprsError.usage("\(parameter: "chunkCells") must be positive, got \(chunkCells)")
        }
        self.file = file
        self.labels = labels
        self.chunkCells = chunkCells
        self.bufferBytes = bufferBytes
    }

    var cellCount: Int { file.rowCount }
    var geneNames: [String] { file.geneNames }
    var cellIDs: [String] { file.cellIDs }
    var separateValidationLabels: [[String]]? { nil }
    var hasSeparateValidation: Bool { false }
    var readingDescription: String { "streamed in chunks of \(chunkCells), buffers of \(bufferChunks)" }

    /// Consecutive rows read at once.
    private var chunks: [Range<Int>] {
        stride(from: 0, to: file.rowCount, by: chunkCells).map { $0..<min(file.rowCount, $0 + chunkCells) }
    }

    /// Chunks per buffer (at least one).
    private var bufferChunks: Int {
        let bytesPerCell = max(1, file.storedCount * 8 / max(1, file.rowCount))
        return max(1, bufferBytes / bytesPerCell / chunkCells)
    }

    /// Ranks genes in passes over the training cells, in file order.
    func selectGenes(_ plan: FitPlan, count: Int, flavor: GeneSelection.Flavor) throws -> GeneSelection {
        try GeneSelection.select(rows: plan.trainingRows.count, columns: file.columnCount, count: count, flavor: flavor)
        { visit in
            for chunk in chunks {
                let block = try file.rows(chunk)
                try visit(
                    .sparse(
                        plan.hasSplit
                            ? block.gatherRows(chunk.filter { plan.isTraining[$0] }.map { $0 - chunk.lowerBound })
                            : block))
            }
        }
    }

    /// One pass in file order: counts checked, library sizes, the even sample.
    func prepare(_ plan: FitPlan) throws -> PreparedFitCells {
        precondition(plan.target == .counts, "Fit.open streams count models only")
        let kept = plan.selection?.selected
        let genes = kept.map { $0.map { file.geneNames[$0] } } ?? file.geneNames
        let sampleRows = plan.samplePositions.map { plan.trainingRows[$0] }
        var libraries = [Float](repeating: 0, count: file.rowCount)
        var sampleBlocks: [SparseMatrix] = []
        var nextSample = 0
        for chunk in chunks {
            let block = try read(chunk, kept)
            let totals = try Preprocessing.checkedLibrarySizes(
                .sparse(block), source: file.path,
                cellID: { file.cellIDs[chunk.lowerBound + $0] }, geneName: { genes[$0] })
            libraries.replaceSubrange(chunk, with: totals)
            var picked: [Int] = []
            while nextSample < sampleRows.count && sampleRows[nextSample] < chunk.upperBound {
                picked.append(sampleRows[nextSample] - chunk.lowerBound)
                nextSample += 1
            }
            if !picked.isEmpty { sampleBlocks.append(block.gatherRows(picked)) }
        }
        state = (plan, libraries, kept)
        let groupOfRow = groups(plan)
        let sampleGroups = groupOfRow.map { g in sampleRows.map { g[$0] } }
        let sample = LikelihoodSample(
            target: SparseMatrix.stacking(sampleBlocks).denseRows(0..<sampleRows.count),
            context: CellContext(librarySize: sampleRows.map { libraries[$0] }, group: sampleGroups),
            conditions: try oneHot(plan).flatMap { table in sampleGroups.map { table.gatherRows($0.map(Int.init)) } })
        let buffer = min(bufferChunks, chunks.count) * chunkCells
        let note =
            """
            trained streamed from \(file.path): \(chunks.count) chunk(s) of ≤ \(chunkCells) cells, shuffled by \
            chunk and within buffers of ≤ \(buffer) cells
            """
        return PreparedFitCells(
            preprocessing: .counts(trainingLibrarySizes: plan.trainingRows.map { libraries[$0] }),
            sample: sample, notes: [note])
    }

    func batches(likelihood: any Likelihood) throws -> (
        training: any MiniBatchSource, validation: (any MiniBatchSource)?
    ) {
        guard let (plan, _, kept) = state else { preconditionFailure("batches(likelihood:) before prepare(_:)") }
        state = nil
        let groupOfRow = groups(plan), oneHotOfGroup = try oneHot(plan)
        let readChunk: (Range<Int>) throws -> SparseMatrix = { [file] rows in try Self.read(file, rows, kept) }
        let readRows: ([Int]) throws -> SparseMatrix = { [file] rows in
            let block = try file.rows(at: rows)
            return kept.map { block.selectingColumns($0) } ?? block
        }
        let chunks = chunks, bufferChunks = bufferChunks
        func source(_ members: [Bool]?) -> StreamedCounts {
            let mine = members.map { m in chunks.filter { c in c.contains { m[$0] } } } ?? chunks
            return StreamedCounts(
                chunks: mine, members: members, bufferChunks: bufferChunks, likelihood: likelihood,
                groupOfRow: groupOfRow, oneHotOfGroup: oneHotOfGroup, read: readChunk, readRows: readRows)
        }
        return (
            source(plan.hasSplit ? plan.isTraining : nil), plan.hasSplit ? source(plan.isTraining.map { !$0 }) : nil
        )
    }

    /// Each cell's label group (training and held-out cells alike).
    private func groups(_ plan: FitPlan) -> [Int32]? {
        guard let encoding = plan.encoding, let labels else { return nil }
        return encoding.groupIndices(of: labels, keys: plan.groupKeys)
    }

    /// Each label group's one-hot conditions.
    private func oneHot(_ plan: FitPlan) throws -> Matrix? {
        guard let encoding = plan.encoding, let labels else { return nil }
        var representative = [[String]?](repeating: nil, count: plan.groupKeys.count)
        let groupOfRow = encoding.groupIndices(of: labels, keys: plan.groupKeys)
        for r in plan.trainingRows where representative[Int(groupOfRow[r])] == nil {
            representative[Int(groupOfRow[r])] = labels[r]
        }
        return try encoding.encode(representative.map { $0! }, source: "\(parameter: "labels")")
    }

    private func read(_ rows: Range<Int>, _ kept: [Int]?) throws -> SparseMatrix { try Self.read(file, rows, kept) }

    /// Consecutive rows of `file` in the kept genes.
    private static func read(_ file: SparseRowFile, _ rows: Range<Int>, _ kept: [Int]?) throws -> SparseMatrix {
        let block = try file.rows(rows)
        return kept.map { block.selectingColumns($0) } ?? block
    }
}
