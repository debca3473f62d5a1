import CVAExprsPluginABI

/// A `Prior` behind `vaexprs_prior_vtable`: KL divergences with their gradients, and draws.
public enum PriorExport {
    static func vtable(slot: Int) -> UnsafeRawPointer {
        let table = UnsafeMutablePointer<vaexprs_prior_vtable>.allocate(capacity: 1)
        table.initialize(
            to: vaexprs_prior_vtable(
                struct_size: UInt32(MemoryLayout<vaexprs_prior_vtable>.size),
                create: Slots.create[slot],
                destroy: PluginExport.destroy,
                kl: { raw, mean, logVariance, rows, dimension, scale, total, meanGradient, logVarianceGradient in
                    let prior = PluginExport.instance(raw, as: PluginExport.Boxed<any Prior>.self).value
                    let count = Int(rows * dimension)
                    let m = Matrix(
                        rows: Int(rows), columns: Int(dimension), storage: BufferCopies.array(mean, count: count))
                    let v = Matrix(
                        rows: Int(rows), columns: Int(dimension), storage: BufferCopies.array(logVariance, count: count)
                    )
                    let result = prior.klDivergence(
                        mean: m, logVariance: v, gradient: meanGradient != nil || logVarianceGradient != nil,
                        scale: scale)
                    total?.pointee = result.total
                    if let g = result.meanGradient { BufferCopies.write(g.storage, to: meanGradient, limit: count) }
                    if let g = result.logVarianceGradient {
                        BufferCopies.write(g.storage, to: logVarianceGradient, limit: count)
                    }
                },
                sample: { raw, count, dimension, out, rng in
                    let prior = PluginExport.instance(raw, as: PluginExport.Boxed<any Prior>.self).value
                    var generator = PluginHost.generator(rng)
                    let draws = prior.sample(count: Int(count), dimension: Int(dimension), rng: &generator)
                    BufferCopies.write(draws.storage, to: out, limit: Int(count * dimension))
                }))
        return UnsafeRawPointer(table)
    }
}
