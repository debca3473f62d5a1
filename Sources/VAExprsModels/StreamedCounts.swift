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
package final class StreamedCounts: MiniBatchSource {
    /// Chunks of consecutive file rows.
    package let chunks: [Range<Int>]
    /// Which file rows this source serves (training or validation cells); nil: all.
    package let members: [Bool]?
    /// Chunks read and shuffled together.
    package let bufferChunks: Int
    /// Cells streamed per pass.
    package let count: Int
    private let read: (Range<Int>) throws -> SparseMatrix
    private let readRows: (([Int]) throws -> SparseMatrix)?
    /// A chunk is read row by row when a process needs fewer than 1 / `rowReadFraction` of its
    /// rows (default 8).
    package let rowReadFraction: Int
    private let likelihood: any Likelihood
    private let groupOfRow: [Int32]?
    private let oneHotOfGroup: Matrix?

    /// A source over the `members` of `chunks` (all rows when nil) of a file read by `read`
    /// (a block of consecutive rows) and `readRows` (given rows, increasing: what one process
    /// of a data-parallel fit reads; without it, blocks are read and the rows taken from them).
    /// `groupOfRow` gives each file row's label group and `oneHotOfGroup` each group's one-hot
    /// conditions (CVAE; nil otherwise).
    package init(
        chunks: [Range<Int>], members: [Bool]? = nil, bufferChunks: Int, likelihood: any Likelihood,
        groupOfRow: [Int32]? = nil, oneHotOfGroup: Matrix? = nil,
        read: @escaping (Range<Int>) throws -> SparseMatrix,
        readRows: (([Int]) throws -> SparseMatrix)? = nil, rowReadFraction: Int = 8
    ) {
        self.chunks = chunks
        self.members = members
        self.bufferChunks = max(1, bufferChunks)
        self.likelihood = likelihood
        self.groupOfRow = groupOfRow
        self.oneHotOfGroup = oneHotOfGroup
        self.read = read
        self.readRows = readRows
        self.rowReadFraction = max(1, rowReadFraction)
        count =
            members.map { m in chunks.reduce(0) { total, chunk in total + chunk.reduce(0) { $0 + (m[$1] ? 1 : 0) } } }
            ?? chunks.reduce(0) { $0 + $1.count }
    }

    /// Batches of `batchSize` cells per pass (the last may be smaller).
    package func batchCount(batchSize: Int) -> Int { (count + batchSize - 1) / batchSize }

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
            Prepared(
                counts: counts.gatherRows(rows), input: input.gatherRows(rows), libraries: rows.map { libraries[$0] },
                constants: constants.map { c in rows.map { c[$0] } }, fileRows: rows.map { fileRows[$0] })
        }

        static func stacking(_ parts: [Prepared]) -> Prepared {
            Prepared(
                counts: SparseMatrix.stacking(parts.map(\.counts)), input: SparseMatrix.stacking(parts.map(\.input)),
                libraries: parts.flatMap(\.libraries),
                constants: parts.allSatisfy { $0.constants != nil } ? parts.flatMap { $0.constants! } : nil,
                fileRows: parts.flatMap(\.fileRows))
        }
    }

    /// One buffer of a pass, planned before anything is read: its chunks, their member file
    /// rows, how many cells the previous buffer left over (positions 0 ..< carriedIn; then
    /// this buffer's members), the shuffled order of those positions, the batches (ranges of
    /// that order) and the positions left over for the next buffer.
    private struct BufferPlan {
        var members: [Int]
        var chunkIndices: [Int]
        var carriedIn: Int
        var order: [Int]
        var batches: [Range<Int>]
        var leftover: ArraySlice<Int>

        /// This buffer's members (indices into `members`) the process holding `share` of every
        /// batch needs, with the leftover cells every process keeps; all without a share.
        func neededMembers(_ share: (any ProcessGroup)?) -> [Int] {
            guard share != nil else { return Array(members.indices) }
            var needed = Set(leftover.filter { $0 >= carriedIn }.map { $0 - carriedIn })
            for batch in batches {
                for position in partOf(order[batch], share) where position >= carriedIn {
                    needed.insert(position - carriedIn)
                }
            }
            return needed.sorted()
        }
    }

    /// Plans a pass: the buffers of `chunkOrder` and every shuffle, drawn from `rng` in the
    /// order a pass has always drawn them (so a plan changes nothing for one process).
    private func plan(_ chunkOrder: [Int], batchSize: Int, shuffle: Bool, rng: inout SeededGenerator) -> [BufferPlan] {
        let groups = stride(from: 0, to: chunkOrder.count, by: bufferChunks).map {
            Array(chunkOrder[$0..<min(chunkOrder.count, $0 + bufferChunks)])
        }
        var plans: [BufferPlan] = []
        var carried = 0
        for (b, chunkIndices) in groups.enumerated() {
            let memberRows = chunkIndices.flatMap { k in
                self.members.map { m in chunks[k].filter { m[$0] } } ?? Array(chunks[k])
            }
            var order = Array(0..<(carried + memberRows.count))
            if shuffle { order.shuffle(using: &rng) }
            var batches: [Range<Int>] = [], first = 0
            while first < order.count {
                let end = min(order.count, first + batchSize)
                if end - first < batchSize && b + 1 < groups.count { break }
                batches.append(first..<end)
                first += batchSize
            }
            let rest = min(first, order.count)  // the last batch may have stepped past the end
            plans.append(
                BufferPlan(
                    members: memberRows, chunkIndices: chunkIndices, carriedIn: carried, order: order,
                    batches: batches, leftover: order[rest...]))
            carried = order.count - rest
        }
        return plans
    }

    /// Reads and prepares the members of `plan` a process needs (`needed`, increasing): chunk
    /// by chunk in the plan's order (so `fileRows` keeps member order), a chunk wholly needed
    /// as a block; with `shared` (a process's share), one needed little (under
    /// 1 / `rowReadFraction`) row by row through `readRows`; any other as a block with the
    /// needed rows taken (many small reads cost more than the bytes they save).
    private func prepare(_ plan: BufferPlan, needed: [Int], shared: Bool) throws -> Prepared {
        let fileRows = needed.map { plan.members[$0] }
        var blocks: [SparseMatrix] = []
        var next = 0  // fileRows are grouped by chunk in the plan's order, increasing within one
        for chunk in plan.chunkIndices.map({ chunks[$0] }) {
            var end = next
            while end < fileRows.count && chunk.contains(fileRows[end]) { end += 1 }
            let wanted = fileRows[next..<end]
            next = end
            if wanted.isEmpty { continue }
            if wanted.count == chunk.count {
                blocks.append(try read(chunk))
            } else if shared, let readRows, wanted.count * rowReadFraction < chunk.count {
                blocks.append(try readRows(Array(wanted)))
            } else {
                blocks.append(try read(chunk).gatherRows(wanted.map { $0 - chunk.lowerBound }))
            }
        }
        let counts = SparseMatrix.stacking(blocks)
        let libraries = counts.rowSums().map { Float($0) }
        let input = counts.mappingValues { i, v in Preprocessing.encoderInput(v, library: libraries[i]) }
        return Prepared(
            counts: counts, input: input, libraries: libraries,
            constants: likelihood.constantTerms(sparseTarget: counts), fileRows: fileRows)
    }

    /// One pass. Every buffer and shuffle is planned first, so that the next buffer is read
    /// and prepared on another thread while the current one trains, and — with a `share` —
    /// each process reads and prepares only the cells of its shares (and the few left over
    /// for the next buffer, which every process keeps). Everything that draws random numbers
    /// stays on the calling thread, so the batches depend on the seed only.
    package func forEachBatch(
        batchSize: Int, shuffle: Bool, rng: inout SeededGenerator, share: (any ProcessGroup)?,
        _ body: (TrainingData.Batch) throws -> Void
    ) throws {
        var order = Array(chunks.indices)
        if shuffle { order.shuffle(using: &rng) }
        let plans = plan(order, batchSize: batchSize, shuffle: shuffle, rng: &rng)
        let needed = plans.map { $0.neededMembers(share) }
        var carried: Prepared? = nil
        var next = plans.first.map { first in
            BackgroundJob { try self.prepare(first, needed: needed[0], shared: share != nil) }
        }
        defer { _ = try? next?.result() }  // never leave a read running
        for (b, plan) in plans.enumerated() {
            let current = try next!.result()
            next =
                b + 1 < plans.count
                ? BackgroundJob { [plans, needed, shared = share != nil] in
                    try self.prepare(plans[b + 1], needed: needed[b + 1], shared: shared)
                } : nil
            let cells = carried.map { Prepared.stacking([$0, current]) } ?? current
            // Position → row of `cells`: carried cells first, then the members read.
            var memberRow = [Int](repeating: -1, count: plan.members.count)
            for (k, m) in needed[b].enumerated() { memberRow[m] = plan.carriedIn + k }
            let row = { (position: Int) -> Int in
                position < plan.carriedIn ? position : memberRow[position - plan.carriedIn]
            }
            for batch in plan.batches {
                let picked = plan.order[batch]
                try body(self.batch(cells, partOf(picked, share).map(row)[...], globalCount: picked.count))
            }
            carried = plan.leftover.isEmpty ? nil : cells.gatherRows(plan.leftover.map(row))
        }
    }

    /// One batch of prepared cells (the encoder input sparse, the counts dense).
    private func batch(_ cells: Prepared, _ picked: ArraySlice<Int>, globalCount: Int) -> TrainingData.Batch {
        let groups = groupOfRow.map { g in picked.map { g[cells.fileRows[$0]] } }
        let context = CellContext(
            librarySize: picked.map { cells.libraries[$0] }, group: groups,
            constant: cells.constants.map { c in picked.map { c[$0] } })
        let conditions = oneHotOfGroup.flatMap { table in groups.map { table.gatherRows($0.map(Int.init)) } }
        return TrainingData.Batch(
            input: .sparse(cells.input.gatherRows(picked)), target: cells.counts.denseRows(picked),
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
