import VAExprsCore

/// Where the trainer's mini-batches come from: cells in memory, or count cells streamed from
/// disk (`StreamedCounts`). One call of `forEachBatch` is one pass over the cells.
package protocol MiniBatchSource: AnyObject {
    /// Number of cells.
    var count: Int { get }
    /// Number of batches one pass hands out.
    func batchCount(batchSize: Int) -> Int
    /// Hands out one pass over the cells in batches of at most `batchSize`, shuffled with
    /// `rng` when `shuffle` is true, in order otherwise. With a `share` group, each batch is
    /// only this process's share of the global batch (`ProcessGroup.share(of:)`), with the
    /// global batch's size in `globalCount`; the batches drawn are the same for every process.
    func forEachBatch(
        batchSize: Int, shuffle: Bool, rng: inout SeededGenerator, share: (any ProcessGroup)?,
        _ body: (TrainingData.Batch) throws -> Void) throws
}

extension MiniBatchSource {
    /// Whole batches (`forEachBatch` without a share).
    package func forEachBatch(
        batchSize: Int, shuffle: Bool, rng: inout SeededGenerator,
        _ body: (TrainingData.Batch) throws -> Void
    ) throws {
        try forEachBatch(batchSize: batchSize, shuffle: shuffle, rng: &rng, share: nil, body)
    }
}

/// This process's part of the rows `picked` for a global batch (all of them without a group).
func partOf(_ picked: ArraySlice<Int>, _ group: (any ProcessGroup)?) -> ArraySlice<Int> {
    guard let group else { return picked }
    let mine = group.share(of: picked.count)
    return picked[(picked.startIndex + mine.lowerBound)..<(picked.startIndex + mine.upperBound)]
}

/// Prepared cells in memory as a batch source: each training pass reshuffles the previous
/// pass's order (as Keras' `shuffle=True` does), then slices it into batches.
package final class InMemoryBatches: MiniBatchSource {
    /// The cells.
    package let data: TrainingData
    private var order: [Int]

    /// A source over `data`.
    package init(_ data: TrainingData) {
        self.data = data
        order = Array(0..<data.count)
    }

    /// Cells held.
    package var count: Int { data.count }

    /// Batches of `batchSize` cells per pass (the last may be smaller).
    package func batchCount(batchSize: Int) -> Int { (data.count + batchSize - 1) / batchSize }

    /// Hands out the batches of one pass (shuffled with `rng` when asked), each process its share of each.
    package func forEachBatch(
        batchSize: Int, shuffle: Bool, rng: inout SeededGenerator, share: (any ProcessGroup)?,
        _ body: (TrainingData.Batch) throws -> Void
    ) throws {
        if shuffle { order.shuffle(using: &rng) }
        let rows = shuffle ? order : Array(0..<data.count)
        var start = 0
        while start < rows.count {
            let picked = rows[start..<min(rows.count, start + batchSize)]
            try body(data.batch(partOf(picked, share), globalCount: picked.count))
            start += batchSize
        }
    }
}
