import VAExprsCore

/// Where the trainer's mini-batches come from: cells in memory, or count cells streamed from
/// disk (`StreamedCounts`). One call of `forEachBatch` is one pass over the cells.
public protocol MiniBatchSource: AnyObject {
    /// Number of cells.
    var count: Int { get }
    /// Number of batches one pass hands out.
    func batchCount(batchSize: Int) -> Int
    /// Hands out one pass over the cells in batches of at most `batchSize`, shuffled with
    /// `rng` when `shuffle` is true, in order otherwise.
    func forEachBatch(batchSize: Int, shuffle: Bool, rng: inout SeededGenerator,
                      _ body: (TrainingData.Batch) throws -> Void) throws
}

/// Prepared cells in memory as a batch source: each training pass reshuffles the previous
/// pass's order (as Keras' `shuffle=True` does), then slices it into batches.
public final class InMemoryBatches: MiniBatchSource {
    /// The cells.
    public let data: TrainingData
    private var order: [Int]

    /// A source over `data`.
    public init(_ data: TrainingData) {
        self.data = data
        order = Array(0..<data.count)
    }

    public var count: Int { data.count }

    public func batchCount(batchSize: Int) -> Int { (data.count + batchSize - 1) / batchSize }

    public func forEachBatch(batchSize: Int, shuffle: Bool, rng: inout SeededGenerator,
                             _ body: (TrainingData.Batch) throws -> Void) throws {
        if shuffle { order.shuffle(using: &rng) }
        let rows = shuffle ? order : Array(0..<data.count)
        var start = 0
        while start < rows.count {
            try body(data.batch(rows[start..<min(rows.count, start + batchSize)]))
            start += batchSize
        }
    }
}
