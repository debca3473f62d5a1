import VAExprsCore

/// Data-parallel training steps over a `ProcessGroup`: every process sees the same global
/// batches (the same shuffle), computes its share of each, and the gradients are summed over
/// one flat buffer before the optimizer step, so every process takes the same step. The
/// reparameterisation noise is drawn for the whole batch on every process and each uses its
/// rows' part, so N processes compute what one would (up to the order of summation).
///
/// Layers that draw their own randomness (dropout) or keep batch statistics (batchnorm) would
/// differ between processes; `check` refuses them for now.
public enum DataParallel {
    /// Layers a data-parallel fit cannot use yet, with why.
    public static func check(_ spec: ModelSpec) throws {
        for layer in spec.encoder + spec.decoder where ["dropout", "batchnorm"].contains(layer.name) {
            throw VAExprsError.usage("\(layer.name) layers are not yet supported when training over several processes (MPI): \(layer.name == "dropout" ? "each process would draw its own masks" : "batch statistics would be each process's own"); train without them, or in one process")
        }
    }

    /// Starts a fit: process 0's initial weights to every process.
    static func start(_ network: VAENetwork, group: any ProcessGroup) throws {
        try check(network.spec)
        let parameters = network.parameters
        var flat = parameters.flatMap(\.value)
        try group.broadcastFromFirst(&flat)
        var offset = 0
        for p in parameters {
            p.value = Array(flat[offset..<(offset + p.value.count)])
            offset += p.value.count
        }
    }

    /// One step's gradients: `batch` is this process's share of a global batch (its
    /// `globalCount` cells), the gradients are summed over the group into every parameter's
    /// gradient. Returns this process's part of the batch's losses.
    static func step(_ network: VAENetwork, batch: TrainingData.Batch, group: any ProcessGroup,
                     rng: inout SeededGenerator, buffer: inout [Float]) throws -> VAENetwork.BatchLoss {
        let rows = batch.globalCount, latent = network.spec.latentDimension
        // Noise for the whole batch on every process, each taking its rows' part.
        var noise = Matrix(rows: rows, columns: latent)
        for i in noise.storage.indices { noise.storage[i] = Float(rng.nextNormal()) }
        let mine = group.share(of: rows)
        precondition(mine.count == batch.input.rows, "a data-parallel batch must be this process's share")
        let parameters = network.parameters
        var loss = VAENetwork.BatchLoss(reconstruction: 0, kl: 0)
        if mine.isEmpty {
            for p in parameters { p.zeroGradient() }
        } else {
            var unused = SeededGenerator(seed: 0)  // no layer draws here (`check`)
            loss = network.trainStep(batch.input, target: batch.target, context: batch.context, conditions: batch.conditions,
                                     rng: &unused, noise: noise.gatherRows(mine), scaleCells: rows)
        }
        try sumGradients(parameters, group: group, buffer: &buffer)
        return loss
    }

    /// Every parameter's gradient summed over the group, through one flat buffer (kept
    /// between steps: copying in and out costs less than one allocation per step).
    static func sumGradients(_ parameters: [Parameter], group: any ProcessGroup, buffer: inout [Float]) throws {
        let total = parameters.reduce(0) { $0 + $1.gradient.count }
        if buffer.count != total { buffer = [Float](repeating: 0, count: total) }
        buffer.withUnsafeMutableBufferPointer { flat in
            var offset = 0
            for p in parameters {
                p.gradient.withUnsafeBufferPointer { g in
                    UnsafeMutableBufferPointer(rebasing: flat[offset..<(offset + g.count)]).update(fromContentsOf: g)
                    offset += g.count
                }
            }
        }
        try group.sum(&buffer)
        buffer.withUnsafeBufferPointer { flat in
            var offset = 0
            for p in parameters {
                p.gradient.withUnsafeMutableBufferPointer { g in
                    _ = g.update(fromContentsOf: UnsafeBufferPointer(rebasing: flat[offset..<(offset + g.count)]))
                    offset += g.count
                }
            }
        }
    }

    /// Validation losses (means per cell): batch k of 1 024 cells is evaluated by process
    /// k mod size with noise from its own stream (`seed` and k), and the sums are added up,
    /// so any number of processes gives the same numbers.
    static func evaluate(_ network: VAENetwork, source: any MiniBatchSource, group: any ProcessGroup,
                         seed: UInt64) throws -> VAENetwork.BatchLoss {
        var sums = [0.0, 0.0], k = 0
        var unused = SeededGenerator(seed: 0)
        try source.forEachBatch(batchSize: 1024, shuffle: false, rng: &unused) { batch in
            defer { k += 1 }
            guard k % group.size == group.rank else { return }
            var rng = SeededGenerator(seed: seed ^ (UInt64(k) &* 0x9E37_79B9_7F4A_7C15))
            let loss = network.evaluate(batch.input, target: batch.target, context: batch.context, conditions: batch.conditions, rng: &rng)
            sums[0] += loss.reconstruction
            sums[1] += loss.kl
        }
        try group.sum(&sums)
        let n = Double(max(source.count, 1))
        return VAENetwork.BatchLoss(reconstruction: sums[0] / n, kl: sums[1] / n)
    }
}
