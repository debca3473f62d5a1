// {{NAME}}: fits a diagonal Gaussian to the latent means (per label for a CVAE) and draws from it.

private let componentKind = VAEXPRS_KIND_LATENT_SAMPLER
private let componentDescription = "diagonal Gaussian latent sampler"

private final class Fitted {
    let mean: [Double], sd: [Double]
    let summary: UnsafeMutablePointer<CChar>
    init(mean: [Double], sd: [Double], points: Int) {
        self.mean = mean
        self.sd = sd
        summary = strdup("{{NAME}}: diagonal Gaussian of \(points) points")!
    }
    deinit { free(summary) }
}

private func fitted(_ raw: UnsafeMutableRawPointer?) -> Fitted { Unmanaged<Fitted>.fromOpaque(raw!).takeUnretainedValue() }

private func makeVTable() -> UnsafeRawPointer {
    let table = UnsafeMutablePointer<vaexprs_latent_sampler_vtable>.allocate(capacity: 1)
    table.initialize(to: vaexprs_latent_sampler_vtable(
        struct_size: UInt32(MemoryLayout<vaexprs_latent_sampler_vtable>.size),
        create: { noSettings($0, $1, $2) },
        destroy: { free($0) },
        fit: { _, x, n, d, _, _, error, size in
            let n = Int(n), d = Int(d)
            guard n >= 2 else { fail("needs at least 2 points", error, size); return nil }
            var mean = [Double](repeating: 0, count: d), sd = mean
            for j in 0..<d {
                for i in 0..<n { mean[j] += x![i * d + j] / Double(n) }
                for i in 0..<n { sd[j] += pow(x![i * d + j] - mean[j], 2) / Double(n - 1) }
                sd[j] = sd[j].squareRoot()
            }
            return Unmanaged.passRetained(Fitted(mean: mean, sd: sd, points: n)).toOpaque()
        },
        sample: { raw, count, d, out, rng in
            let f = fitted(raw)
            for i in 0..<Int(count) { for j in 0..<Int(d) { out![i * Int(d) + j] = f.mean[j] + f.sd[j] * host.pointee.rng_normal(rng) } }
        },
        summary: { raw in UnsafePointer(fitted(raw).summary) },
        destroy_fitted: { raw in Unmanaged<Fitted>.fromOpaque(raw!).release() }))
    return UnsafeRawPointer(table)
}
