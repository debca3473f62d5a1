import CVAExprsPluginABI
import Foundation

/// A `LatentSampler` behind `vaexprs_latent_sampler_vtable`: each fitted distribution is a
/// box the host destroys with `destroy_fitted`.
public enum LatentSamplerExport {
    /// One fitted distribution, with its summary as a C string.
    final class Fitted {
        let distribution: any FittedLatentDistribution
        let summary: UnsafeMutablePointer<CChar>
        init(_ distribution: any FittedLatentDistribution) {
            self.distribution = distribution
            summary = strdup(distribution.summary)
        }
        deinit { free(summary) }
    }

    static func vtable(slot: Int) -> UnsafeRawPointer {
        let table = UnsafeMutablePointer<vaexprs_latent_sampler_vtable>.allocate(capacity: 1)
        table.initialize(
            to: vaexprs_latent_sampler_vtable(
                struct_size: UInt32(MemoryLayout<vaexprs_latent_sampler_vtable>.size),
                create: Slots.create[slot],
                destroy: PluginExport.destroy,
                fit: { raw, points, n, d, label, rng, buffer, size in
                    let sampler = PluginExport.instance(raw, as: PluginExport.Boxed<any LatentSampler>.self).value
                    let data = DoubleMatrix(
                        rows: Int(n), columns: Int(d), storage: BufferCopies.array(points, count: Int(n * d)))
                    var generator = PluginHost.generator(rng)
                    do {
                        let fitted = try sampler.fit(data, label: label.map { String(cString: $0) }, rng: &generator)
                        return Unmanaged.passRetained(Fitted(fitted) as AnyObject).toOpaque()
                    } catch {
                        PluginHost.report(error, into: buffer, size: size)
                        return nil
                    }
                },
                sample: { fitted, count, d, out, rng in
                    let distribution = PluginExport.instance(fitted, as: Fitted.self).distribution
                    var generator = PluginHost.generator(rng)
                    let draws = distribution.sample(count: Int(count), rng: &generator)
                    BufferCopies.write(draws.storage, to: out, limit: Int(count * d))
                },
                summary: { fitted in UnsafePointer(PluginExport.instance(fitted, as: Fitted.self).summary) },
                destroy_fitted: PluginExport.destroy))
        return UnsafeRawPointer(table)
    }
}
