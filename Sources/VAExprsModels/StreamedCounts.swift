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

    /// Cells read and prepared but not yet handed out: raw counts, encoder input
    /// (log1p(counts per 10 000)), library sizes, the likelihood's parameter-free terms, and
    /// each cell's file row.
    private struct Prepared {
        var counts: SparseMatrix
        var input: SparseMatrix
        var libraries: [Float]
        var constants: [Double]?
        var fileRows: [Int]

        func gatherRows<C: Collection>(_ rows: C) -> Prepared where C.Element == Int {
            Prepared(counts: counts.gatherRows(rows), input: input.gatherRows(rows), libraries: rows.map { libraries[$0] },
                     constants: constants.map { c in rows.map { c[$0] } }, fileRows: rows.map { fileRows[$0] })
        }

        static func stacking(_ parts: [Prepared]) -> Prepared {
            Prepared(counts: SparseMatrix.stacking(parts.map(\.counts)), input: SparseMatrix.stacking(parts.map(\.input)),
                     libraries: parts.flatMap(\.libraries),
                     constants: parts.allSatisfy { $0.constants != nil } ? parts.flatMap { $0.constants! } : nil,
                     fileRows: parts.flatMap(\.fileRows))
        }
    }

    /// Reads the member cells of `chunkIndices` and prepares them.
    private func prepareBuffer(_ chunkIndices: [Int]) throws -> Prepared {
        var blocks: [SparseMatrix] = [], fileRows: [Int] = []
        for chunk in chunkIndices.map({ chunks[$0] }) {
            let block = try read(chunk)
            if let members {
                let kept = chunk.filter { members[$0] }
                blocks.append(block.gatherRows(kept.map { $0 - chunk.lowerBound }))
                fileRows += kept
            } else {
                blocks.append(block)
                fileRows += chunk
            }
        }
        let counts = SparseMatrix.stacking(blocks)
        let libraries = counts.rowSums().map { Float($0) }
        let input = counts.mappingValues { i, v in log1pf(v * (Preprocessing.countInputScale / libraries[i])) }
        return Prepared(counts: counts, input: input, libraries: libraries,
                        constants: likelihood.constantTerms(sparseTarget: counts), fileRows: fileRows)
    }

    /// One pass. The next buffer is read and prepared on another thread while the current
    /// one trains; everything that draws random numbers stays on the calling thread, so the
    /// batches depend on the seed only.
    public func forEachBatch(batchSize: Int, shuffle: Bool, rng: inout SeededGenerator, share: (any ProcessGroup)?,
                             _ body: (TrainingData.Batch) throws -> Void) throws {
        var order = Array(chunks.indices)
        if shuffle { order.shuffle(using: &rng) }
        let buffers = stride(from: 0, to: order.count, by: bufferChunks).map { Array(order[$0..<min(order.count, $0 + bufferChunks)]) }
        var carried: Prepared? = nil
        var next = buffers.first.map { first in BackgroundJob { try self.prepareBuffer(first) } }
        defer { _ = try? next?.result() }  // never leave a read running
        for b in buffers.indices {
            let current = try next!.result()
            next = b + 1 < buffers.count ? BackgroundJob { [buffers] in try self.prepareBuffer(buffers[b + 1]) } : nil
            let cells = carried.map { Prepared.stacking([$0, current]) } ?? current
            var rows = Array(0..<cells.counts.rows)
            if shuffle { rows.shuffle(using: &rng) }
            let last = b + 1 == buffers.count
            var first = 0
            while first < rows.count {
                let picked = rows[first..<min(rows.count, first + batchSize)]
                if picked.count < batchSize && !last { break }
                try body(batch(cells, partOf(picked, share), globalCount: picked.count))
                first += batchSize
            }
            carried = first < rows.count ? cells.gatherRows(rows[first...]) : nil
        }
    }

    /// One batch of prepared cells (the encoder input sparse, the counts dense).
    private func batch(_ cells: Prepared, _ picked: ArraySlice<Int>, globalCount: Int) -> TrainingData.Batch {
        let groups = groupOfRow.map { g in picked.map { g[cells.fileRows[$0]] } }
        let context = CellContext(librarySize: picked.map { cells.libraries[$0] }, group: groups,
                                  constant: cells.constants.map { c in picked.map { c[$0] } })
        let conditions = oneHotOfGroup.flatMap { table in groups.map { table.gatherRows($0.map(Int.init)) } }
        return TrainingData.Batch(input: .sparse(cells.input.gatherRows(picked)), target: cells.counts.denseRows(picked),
                                  context: context, conditions: conditions, globalCount: globalCount)
    }
}

/// A job run on its own thread, its result collected later: here, reading and preparing the
/// next buffer of cells while the current one trains. The job and its result cross threads
/// only through the semaphore (the result is read after the job has signalled), which is
/// why the box may be marked `@unchecked Sendable`.
final class BackgroundJob<Value>: @unchecked Sendable {
    private let job: () throws -> Value
    private var outcome: Result<Value, Error>?
    private let finished = DispatchSemaphore(value: 0)
    private var collected = false

    init(_ job: @escaping () throws -> Value) {
        self.job = job
        let thread = Thread { [self] in
            outcome = Result { try self.job() }
            finished.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Waits for the job and returns its value (or throws its error).
    func result() throws -> Value {
        if !collected {
            finished.wait()
            collected = true
        }
        return try outcome!.get()
    }
}
