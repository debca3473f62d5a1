// {{NAME}}: a Gaussian likelihood with unit variance around the decoder's output.

private let componentKind = VAEXPRS_KIND_LIKELIHOOD
private let componentDescription = "Gaussian, unit variance"

private func makeVTable() -> UnsafeRawPointer {
    let table = UnsafeMutablePointer<vaexprs_likelihood_vtable>.allocate(capacity: 1)
    table.initialize(to: vaexprs_likelihood_vtable(
        struct_size: UInt32(MemoryLayout<vaexprs_likelihood_vtable>.size),
        create: { noSettings($0, $1, $2) },
        destroy: { free($0) },
        evaluate: { _, out, target, rows, columns, scale, total, gradient in
            var sum = 0.0
            for i in 0..<Int(rows * columns) {
                let r = Double(out![i]) - Double(target![i])
                sum += 0.5 * r * r + 0.91893853320467274  // ½ log 2π
                gradient?[i] = scale * Float(r)
            }
            total!.pointee = sum
        },
        mean: { _, out, rows, columns, m in for i in 0..<Int(rows * columns) { m![i] = out![i] } },
        sample: { _, out, rows, columns, draw, rng in
            for i in 0..<Int(rows * columns) { draw![i] = out![i] + Float(host.pointee.rng_normal(rng)) }
        },
        // ABI 2: scaled targets; no per-cell context needed, so the calls above are used.
        // A count likelihood sets VAEXPRS_LIKELIHOOD_COUNTS and the three *_cells calls,
        // which receive each cell's library size and label group.
        data: UInt32(VAEXPRS_LIKELIHOOD_SCALED), evaluate_cells: nil, mean_cells: nil, sample_cells: nil))
    return UnsafeRawPointer(table)
}
