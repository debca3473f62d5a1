// {{NAME}}: the standard normal prior, KL(N(μ, σ²) ‖ N(0, 1)) = −½ Σ (1 + log σ² − μ² − σ²).

private let componentKind = VAEXPRS_KIND_PRIOR
private let componentDescription = "standard normal prior"

private func makeVTable() -> UnsafeRawPointer {
    let table = UnsafeMutablePointer<vaexprs_prior_vtable>.allocate(capacity: 1)
    table.initialize(to: vaexprs_prior_vtable(
        struct_size: UInt32(MemoryLayout<vaexprs_prior_vtable>.size),
        create: { noSettings($0, $1, $2) },
        destroy: { free($0) },
        kl: { _, mean, logVariance, rows, dimension, scale, total, meanGradient, logVarianceGradient in
            var sum = 0.0
            for i in 0..<Int(rows * dimension) {
                let m = Double(mean![i]), v = Double(logVariance![i])
                sum += -0.5 * (1 + v - m * m - exp(v))
                meanGradient?[i] = scale * Float(m)
                logVarianceGradient?[i] = scale * Float(0.5 * (exp(v) - 1))
            }
            total!.pointee = sum
        },
        sample: { _, count, dimension, out, rng in
            for i in 0..<Int(count * dimension) { out![i] = Float(host.pointee.rng_normal(rng)) }
        }))
    return UnsafeRawPointer(table)
}
