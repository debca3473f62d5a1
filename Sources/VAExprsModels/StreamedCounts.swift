import Foundation
import VAExprsCore

/// Count cells streamed from disk as a batch source: the file is read in chunks of
/// consecutive rows (`read`), and a training pass visits the chunks in a shuffled order,
/// `bufferChunks` at a time, shuffling the cells within each buffer before slicing it into
/// batches; the cells left over when a buffer does not fill a whole batch join the next
/// buffer, so a pass hands out the same number of batches as in memory. Memory is one
/// buffer, whatever the number of cells.
///
/// Each batch is prepared as `Preprocessing` prepares counts in memory: raw counts as the
/// target with each cell's library size, log1p(counts per 10 000) as the encoder input, the
/// likelihood's parameter-free terms, and the one-hot conditions of a CVAE.
public final class StreamedCounts: MiniBatchSource {
    /// Chunks of consecutive file rows.
    public let chunks: [Range<Int>]
    /// Which file rows this source serves (training or validation cells); nil: all.
    public let members: [Bool]?
    /// Chunks read and shuffled together.
    public let bufferChunks: Int
    public let count: Int
    private let read: (Range<Int>) throws -> SparseMatrix
    private let likelihood: any Likelihood
    private let groupOfRow: [Int32]?
    private let oneHotOfGroup: Matrix?

    /// A source over the `members` of `chunks` (all rows when nil) of a file read by `read`.
    /// `groupOfRow` gives each file row's label group and `oneHotOfGroup` each group's one-hot
    /// conditions (CVAE; nil otherwise).
    public init(chunks: [Range<Int>], members: [Bool]? = nil, bufferChunks: Int, likelihood: any Likelihood,
                groupOfRow: [Int32]? = nil, oneHotOfGroup: Matrix? = nil,
                read: @escaping (Range<Int>) throws -> SparseMatrix) {
        self.chunks = chunks
        self.members = members
        self.bufferChunks = max(1, bufferChunks)
        self.likelihood = likelihood
        self.groupOfRow = groupOfRow
        self.oneHotOfGroup = oneHotOfGroup
        self.read = read
        count = members.map { m in chunks.reduce(0) { total, chunk in total + chunk.reduce(0) { $0 + (m[$1] ? 1 : 0) } } }
            ?? chunks.reduce(0) { $0 + $1.count }
    }

    public func batchCount(batchSize: Int) -> Int { (count + batchSize - 1) / batchSize }

    /// Cells read but not yet handed out, with their file rows.
    private struct Pending {
        var cells: SparseMatrix
        var fileRows: [Int]
    }

    /// The member cells of one chunk.
    private func readMembers(_ chunk: Range<Int>) throws -> Pending {
        let block = try read(chunk)
        guard let members else { return Pending(cells: block, fileRows: Array(chunk)) }
        let kept = chunk.filter { members[$0] }
        return Pending(cells: block.gatherRows(kept.map { $0 - chunk.lowerBound }), fileRows: kept)
    }

    public func forEachBatch(batchSize: Int, shuffle: Bool, rng: inout SeededGenerator,
                             _ body: (TrainingData.Batch) throws -> Void) throws {
        var order = Array(chunks.indices)
        if shuffle { order.shuffle(using: &rng) }
        var carried: Pending? = nil
        var start = 0
        while start < order.count {
            let buffer = order[start..<min(order.count, start + bufferChunks)]
            start = buffer.endIndex
            var parts = carried.map { [$0] } ?? []
            parts += try buffer.map { try readMembers(chunks[$0]) }
            let cells = SparseMatrix.stacking(parts.map(\.cells))
            let fileRows = parts.flatMap(\.fileRows)
            var rows = Array(0..<cells.rows)
            if shuffle { rows.shuffle(using: &rng) }
            let last = start >= order.count
            var first = 0
            while first < rows.count {
                let picked = rows[first..<min(rows.count, first + batchSize)]
                if picked.count < batchSize && !last { break }
                try body(prepare(cells.denseRows(picked), fileRows: picked.map { fileRows[$0] }))
                first += batchSize
            }
            carried = first < rows.count
                ? Pending(cells: cells.gatherRows(rows[first...]), fileRows: rows[first...].map { fileRows[$0] }) : nil
        }
    }

    /// One batch of raw counts prepared for the network.
    func prepare(_ counts: Matrix, fileRows: [Int]) -> TrainingData.Batch {
        var libraries = [Float](repeating: 0, count: counts.rows)
        var input = counts
        counts.storage.withUnsafeBufferPointer { source in
            input.storage.withUnsafeMutableBufferPointer { out in
                let g = counts.columns
                for i in 0..<counts.rows {
                    var total = 0.0
                    for j in 0..<g { total += Double(source[i * g + j]) }
                    libraries[i] = Float(total)
                    let factor = Preprocessing.countInputScale / libraries[i]
                    for j in 0..<g where source[i * g + j] != 0 { out[i * g + j] = log1pf(source[i * g + j] * factor) }
                }
            }
        }
        let groups = groupOfRow.map { g in fileRows.map { g[$0] } }
        var context = CellContext(librarySize: libraries, group: groups)
        context.constant = likelihood.constantTerms(target: counts)
        let conditions = oneHotOfGroup.flatMap { table in groups.map { table.gatherRows($0.map(Int.init)) } }
        return TrainingData.Batch(input: input, target: counts, context: context, conditions: conditions)
    }
}
