import Foundation
import Testing
import VAExprs
import VAExprsTestSupport

/// Training streamed from disk: the batch source hands out every cell once per pass, prepared
/// as in memory; a streamed fit is repeatable bit for bit, holds out the cells a fit in
/// memory holds out, and refuses what it cannot train.
@Suite struct StreamedFitTests {
    let dir = TestPaths.scratch("streamed-fit")
    let pbmc = TestPaths.dataset("pbmc_small", "data.h5ad")

    let pbmcLabels = TestPaths.dataset("pbmc_small", "labels.csv")

    /// A fit of `path` (streamed unless `stream` is false) with a small network.
    func request(
        _ path: String, labels: String? = nil, split: Double? = nil, seed: UInt64 = 3, epochs: Int = 3,
        likelihood: String = "nb", stream: Bool = true
    ) -> FitRequest {
        let layer = ComponentSpec(name: "dense", positional: ["16", "relu"])
        var r = FitRequest(counts: path, training: TrainingOptions(epochs: epochs, batchSize: 8, seed: seed))
        r.labels = labels
        r.noLabels = labels == nil
        r.validationSplit = split
        r.choices.wholeSpec = (
            ModelSpec(
                encoder: [layer], decoder: [layer], latentDimension: 3, likelihood: ComponentSpec(name: likelihood)),
            "a test"
        )
        r.threads = 1
        r.stream = stream
        // Several chunks and buffers even on 80 cells.
        r.chunkCells = 7
        r.bufferBytes = 1
        return r
    }

    @Test func eachPassHandsOutEveryMemberOnceInFullBatchesPreparedAsInMemory() throws {
        let file = try SparseRowFile(pbmc)
        let all = try file.rows(0..<file.rowCount)
        let chunks = stride(from: 0, to: file.rowCount, by: 7).map { $0..<min(file.rowCount, $0 + 7) }
        let members = (0..<file.rowCount).map { $0 % 5 != 0 }
        let registry = try Builtins.makeRegistry()
        let likelihood = try registry.makeLikelihood(ComponentSpec(name: "nb"))
        let source = StreamedCounts(
            chunks: chunks, members: members, bufferChunks: 3, likelihood: likelihood, read: file.rows)
        #expect(source.count == 64 && source.batchCount(batchSize: 10) == 7)
        // What the in-memory path prepares for the same cells.
        let memory = try Preprocessing.fit(
            ExpressionMatrix(cellIDs: file.cellIDs, geneNames: file.geneNames, cells: .sparse(all)),
            normalization: .none, target: .counts, source: "test"
        ).1
        var rng = SeededGenerator(seed: 9)
        for shuffle in [true, false] {
            var seen: [Float] = [], sizes: [Int] = []
            try source.forEachBatch(batchSize: 10, shuffle: shuffle, rng: &rng) { batch in
                sizes.append(batch.input.rows)
                for i in 0..<batch.input.rows {
                    // Identify the cell by its library size and check its prepared row.
                    let library = batch.context.librarySize![i]
                    let row = (0..<all.rows).first {
                        members[$0] && memory.context.librarySize![$0] == library
                            && memory.target.denseRows([$0]).storage
                                == Array(
                                    batch.target.storage[(i * batch.target.columns)..<((i + 1) * batch.target.columns)])
                    }
                    #expect(row != nil)
                    if let row {
                        #expect(memory.input.denseRows([row]).storage == batch.input.denseRows([i]).storage)
                    }
                    seen.append(library)
                }
            }
            #expect(sizes == [10, 10, 10, 10, 10, 10, 4], "full batches except the last: \(sizes)")
            let expected = (0..<all.rows).filter { members[$0] }.map { memory.context.librarySize![$0] }
            #expect(seen.sorted() == expected.sorted())
            if !shuffle { #expect(seen == expected, "in order when not shuffled") }
        }
    }

    /// A process of a group, for batch sources (sums are never called by them).
    final class FakeGroup: ProcessGroup {
        let rank: Int, size: Int
        init(rank: Int, size: Int) {
            self.rank = rank
            self.size = size
        }
        func sum(_ values: inout [Float]) throws {}
        func sum(_ values: inout [Double]) throws {}
        func broadcastFromFirst(_ values: inout [Float]) throws {}
    }

    /// Issue 16: with a share, each process gets (and reads, through `readRows`) only its rows
    /// of every batch, the same batches for any number of processes: rank 0's and rank 1's
    /// shares put together are the whole batch, row for row, over several buffers with cells
    /// carried between them; and only a part of each buffer is read.
    @Test func sharesOfStreamedBatchesMakeTheWholeBatches() throws {
        let file = try SparseRowFile(pbmc)
        let chunks = stride(from: 0, to: file.rowCount, by: 7).map { $0..<min(file.rowCount, $0 + 7) }
        let members = (0..<file.rowCount).map { $0 % 5 != 0 }
        let likelihood = try Builtins.makeRegistry().makeLikelihood(ComponentSpec(name: "nb"))
        let rowsRead = LockedCounter()
        // Row by row whenever a process needs less than a whole chunk (the default reads chunks
        // it needs an eighth or more of as blocks), so that both ways of reading are tried.
        var source = StreamedCounts(
            chunks: chunks, members: members, bufferChunks: 3, likelihood: likelihood, read: file.rows,
            readRows: { rows in
                rowsRead.add(rows.count)
                return try file.rows(at: rows)
            }, rowReadFraction: 1)
        func pass(_ share: (any ProcessGroup)?) throws -> [(input: [Float], library: [Float], global: Int)] {
            var rng = SeededGenerator(seed: 21), out: [(input: [Float], library: [Float], global: Int)] = []
            try source.forEachBatch(batchSize: 10, shuffle: true, rng: &rng, share: share) { batch in
                out.append((batch.input.dense().storage, batch.context.librarySize!, batch.globalCount))
            }
            return out
        }
        let whole = try pass(nil)
        #expect(rowsRead.value == 0, "a whole pass reads chunks")
        let first = try pass(FakeGroup(rank: 0, size: 2)), second = try pass(FakeGroup(rank: 1, size: 2))
        #expect(whole.count == 7 && first.count == 7 && second.count == 7)
        for k in whole.indices {
            #expect(first[k].input + second[k].input == whole[k].input, "batch \(k)")
            #expect(first[k].library + second[k].library == whole[k].library)
            #expect(first[k].global == whole[k].library.count && second[k].global == whole[k].library.count)
        }
        #expect(
            rowsRead.value > 0 && rowsRead.value < 2 * 64,
            "each process reads its shares and the carried cells only: \(rowsRead.value) rows for two passes of 64")
        let alone = try pass(FakeGroup(rank: 0, size: 1))
        #expect(alone.map(\.input) == whole.map(\.input), "one process of one: the whole batches")
        // Chunks read as blocks (the default fraction): the same shares.
        source = StreamedCounts(
            chunks: chunks, members: members, bufferChunks: 3, likelihood: likelihood, read: file.rows,
            readRows: { rows in
                rowsRead.add(rows.count)
                return try file.rows(at: rows)
            })
        let blocks = try pass(FakeGroup(rank: 1, size: 2))
        #expect(blocks.map(\.input) == second.map(\.input) && blocks.map(\.library) == second.map(\.library))
    }

    @Test func aStreamedFitIsRepeatableAndHoldsOutTheCellsFitVAEHoldsOut() throws {
        let registry = try Builtins.makeRegistry()
        let a = try Fit.run(request(pbmc, labels: pbmcLabels, split: 0.25), registry: registry)
        let b = try Fit.run(request(pbmc, labels: pbmcLabels, split: 0.25), registry: registry)
        let c = try Fit.run(request(pbmc, labels: pbmcLabels, split: 0.25, seed: 4), registry: registry)
        try a.save(to: dir + "/a.vaexprs")
        try b.save(to: dir + "/b.vaexprs")
        try c.save(to: dir + "/c.vaexprs")
        let bytes = { (name: String) in try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name)) }
        #expect(try bytes("a.vaexprs") == bytes("b.vaexprs"), "same seed, same model bytes")
        #expect(try bytes("a.vaexprs") != bytes("c.vaexprs"))
        #expect(a.history.epochs.count == 3 && a.history.epochs.allSatisfy { $0.valLoss != nil && $0.loss.isFinite })
        #expect(
            a.conditions != nil && a.trainingLatentMeans.rows == 60 && a.preprocessing.trainingLibrarySizes?.count == 60
        )

        // The same held-out cells as in memory with the same seed.
        let memory = try ExpressionReader.read(pbmc)
        let inMemory = try Fit.run(
            request(pbmc, labels: pbmcLabels, split: 0.25, epochs: 1, stream: false), registry: registry)
        #expect(inMemory.trainingCellIDs == a.trainingCellIDs)
        #expect(inMemory.preprocessing.trainingLibrarySizes == a.preprocessing.trainingLibrarySizes)
        // The latent means are those of the trained encoder.
        let prepared = try Preprocessing.fit(
            memory.selectingCells(a.trainingCellIDs.map { id in memory.cellIDs.firstIndex(of: id)! }),
            normalization: .none, target: .counts, source: "test"
        ).1
        let conditions = try a.conditions!.encode(a.trainingLabels!, source: "test")
        #expect(TrainedModel.latentMeans(a.network, x: prepared.input, conditions: conditions) == a.trainingLatentMeans)
    }

    @Test func continuousLikelihoodsAndNonCountsAreRefused() throws {
        let registry = try Builtins.makeRegistry()
        #expect(throws: VAExprsError.self) { try Fit.run(request(pbmc, likelihood: "gaussian"), registry: registry) }

        // A non-integer count is named by cell and gene.
        let path = try TestH5AD.write(
            dir + "/fractional.h5ad", cells: 2, genes: 2, indptr: [0, 1, 3], indices: [0, 0, 1], data: [1, 2, 0.5])
        do {
            _ = try Fit.run(request(path), registry: registry)
            Issue.record("expected an error")
        } catch let e as VAExprsError {
            #expect(e.message.contains("cell 'c1', gene 'g1' is 0.5"), "\(e.message)")
        }
    }
}

/// A count shared with the reading closure of a batch source.
final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add(_ n: Int) {
        lock.lock()
        count += n
        lock.unlock()
    }
    var value: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }
}
