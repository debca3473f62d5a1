import VAExprsCore

/// Data-parallel training steps over a `ProcessGroup`: every process sees the same global
/// batches (the same shuffle), computes its share of each, and the gradients are summed over
/// one flat buffer before the optimizer step, so every process takes the same step. The
/// reparameterisation noise and dropout masks are drawn for the whole batch on every process
/// and each uses its rows' part, and batch normalisation uses the whole batch's statistics
/// (`BatchShareAware` layers), so N processes compute what one would, up to the order of
/// summation. (A plugin layer that draws its own random numbers draws them for its rows only.)
package enum DataParallel {
    /// Starts a fit: process 0's initial weights to every process.
    static func start(_ parameters: [Parameter], group: any ProcessGroup) throws {
        var buffer: [Float] = []
        try exchange(\.value, of: parameters, buffer: &buffer) { try group.broadcastFromFirst(&$0) }
    }

    /// One step's gradients: `batch` is this process's share of a global batch (its
    /// `globalCount` cells), the gradients are summed over the group into every parameter's
    /// gradient. Returns this process's part of the batch's losses.
    static func step(
        _ network: VAENetwork, parameters: [Parameter], batch: TrainingData.Batch, group: any ProcessGroup,
        rng: inout SeededGenerator, buffer: inout [Float]
    ) throws -> VAENetwork.BatchLoss {
        let rows = batch.globalCount, latent = network.spec.latentDimension
        // Noise for the whole batch on every process, each taking its rows' part.
        var noise = Matrix(rows: rows, columns: latent)
        for i in noise.storage.indices { noise.storage[i] = Float(rng.nextNormal()) }
        // The layers' draws (dropout masks) from a stream every process starts alike, even
        // one that holds no rows of this batch.
        var layerRNG = SeededGenerator(seed: rng.next())
        let mine = group.share(of: rows)
        precondition(mine.count == batch.input.rows, "a data-parallel batch must be this process's share")
        var loss = VAENetwork.BatchLoss(reconstruction: 0, kl: 0)
        if mine.isEmpty {
            for p in parameters { p.zeroGradient() }
        } else {
            let share = GroupShare(rows: mine, globalCount: rows, group: group)
            network.setBatchShare(share)
            defer { network.setBatchShare(nil) }
            loss = network.trainStep(
                batch.input, target: batch.target, context: batch.context, conditions: batch.conditions,
                rng: &layerRNG, noise: noise.gatherRows(mine), scaleCells: rows)
            if let failure = share.failure { throw failure }
        }
        // One process: its gradients are the sum already (no copies into the flat buffer).
        if group.size > 1 { try exchange(\.gradient, of: parameters, buffer: &buffer) { try group.sum(&$0) } }
        return loss
    }

    /// One array of every parameter (`\.value` or `\.gradient`) copied into one flat buffer,
    /// handed to `communicate` (one MPI call per step, not one per parameter), and copied back.
    /// The buffer is kept by the caller between steps: copying costs less than allocating.
    static func exchange(
        _ field: ReferenceWritableKeyPath<Parameter, [Float]>, of parameters: [Parameter], buffer: inout [Float],
        _ communicate: (inout [Float]) throws -> Void
    ) throws {
        let total = parameters.reduce(0) { $0 + $1[keyPath: field].count }
        if buffer.count != total { buffer = [Float](repeating: 0, count: total) }
        buffer.withUnsafeMutableBufferPointer { flat in
            var offset = 0
            for p in parameters {
                p[keyPath: field].withUnsafeBufferPointer { v in
                    UnsafeMutableBufferPointer(rebasing: flat[offset..<(offset + v.count)]).update(fromContentsOf: v)
                    offset += v.count
                }
            }
        }
        try communicate(&buffer)
        buffer.withUnsafeBufferPointer { flat in
            var offset = 0
            for p in parameters {
                p[keyPath: field].withUnsafeMutableBufferPointer { v in
                    _ = v.update(fromContentsOf: UnsafeBufferPointer(rebasing: flat[offset..<(offset + v.count)]))
                    offset += v.count
                }
            }
        }
    }

    /// Validation losses (means per cell): batch k of 1 024 cells in order, each process
    /// reading and evaluating its share of its rows with the batch's noise drawn whole from its
    /// own stream (`seed` and k), and the sums added up, so any number of processes gives the
    /// same numbers and none reads another's cells.
    static func evaluate(
        _ network: VAENetwork, source: any MiniBatchSource, group: any ProcessGroup,
        seed: UInt64
    ) throws -> VAENetwork.BatchLoss {
        var sums = [0.0, 0.0], k = 0
        var order = SeededGenerator(seed: 0), inference = SeededGenerator(seed: 0)  // neither draws here
        let latent = network.spec.latentDimension
        try source.forEachBatch(batchSize: 1024, shuffle: false, rng: &order, share: group) { batch in
            defer { k += 1 }
            var rng = SeededGenerator(seed: seed ^ (UInt64(k) &* 0x9E37_79B9_7F4A_7C15))
            var noise = Matrix(rows: batch.globalCount, columns: latent)
            for i in noise.storage.indices { noise.storage[i] = Float(rng.nextNormal()) }
            let mine = group.share(of: batch.globalCount)
            guard !mine.isEmpty else { return }
            let loss = network.evaluate(
                batch.input, target: batch.target, context: batch.context, conditions: batch.conditions,
                rng: &inference, noise: noise.gatherRows(mine))
            sums[0] += loss.reconstruction
            sums[1] += loss.kl
        }
        try group.sum(&sums)
        let n = Double(max(source.count, 1))
        return VAENetwork.BatchLoss(reconstruction: sums[0] / n, kl: sums[1] / n)
    }
}

/// A process's share of one global batch, summing over its group. Used by one thread at a time
/// (the step's), hence unchecked.
final class GroupShare: BatchShare, @unchecked Sendable {
    let rows: Range<Int>
    let globalCount: Int
    let group: any ProcessGroup

    init(rows: Range<Int>, globalCount: Int, group: any ProcessGroup) {
        self.rows = rows
        self.globalCount = globalCount
        self.group = group
    }

    /// The first failure of a sum: layers cannot throw, so the step throws it after the layers ran.
    private(set) var failure: (any Error)?

    func sum(_ values: inout [Double]) {
        guard failure == nil else { return }
        do { try group.sum(&values) } catch { failure = error }
    }
}
