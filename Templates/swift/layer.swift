// {{NAME}}: a layer y = x ⊙ scale + bias (per feature), scale starting at 1 — an identity at
// initialisation, with its exact backward pass.

private let componentKind = VAEXPRS_KIND_LAYER
private let componentDescription = "per-feature scale and bias (identity at initialisation)"

private final class LayerState {
    var width = 0
    var input: [Float] = []
}

private func layer(_ raw: UnsafeMutableRawPointer?) -> LayerState { Unmanaged<LayerState>.fromOpaque(raw!).takeUnretainedValue() }
nonisolated(unsafe) private let parameterNames = [UnsafePointer(strdup("scale")!), UnsafePointer(strdup("bias")!)]

private func makeVTable() -> UnsafeRawPointer {
    let table = UnsafeMutablePointer<vaexprs_layer_vtable>.allocate(capacity: 1)
    table.initialize(to: vaexprs_layer_vtable(
        struct_size: UInt32(MemoryLayout<vaexprs_layer_vtable>.size),
        create: { options, error, size in
            if let options, String(cString: options) != "{}" { fail("{{NAME}} takes no settings", error, size); return nil }
            return Unmanaged.passRetained(LayerState()).toOpaque()
        },
        destroy: { raw in Unmanaged<LayerState>.fromOpaque(raw!).release() },
        build: { raw, inputWidth, outputWidth, _, _ in
            layer(raw).width = Int(inputWidth)
            outputWidth!.pointee = inputWidth
            return 0
        },
        parameter_count: { _ in 2 },
        parameter_shape: { raw, index, name, rows, columns in
            name!.pointee = parameterNames[Int(index)]
            rows!.pointee = 1
            columns!.pointee = Int64(layer(raw).width)
        },
        initialize: { raw, p, _ in
            for j in 0..<layer(raw).width { p![0]![j] = 1; p![1]![j] = 0 }
        },
        forward: { raw, p, x, batch, y, _, _ in
            let l = layer(raw), n = Int(batch), d = l.width
            l.input = Array(UnsafeBufferPointer(start: x!, count: n * d))
            for i in 0..<n { for j in 0..<d { y![i * d + j] = x![i * d + j] * p![0]![j] + p![1]![j] } }
        },
        backward: { raw, p, dy, batch, dx, g in
            let l = layer(raw), n = Int(batch), d = l.width
            for j in 0..<d { g![0]![j] = 0; g![1]![j] = 0 }
            for i in 0..<n {
                for j in 0..<d {
                    let grad = dy![i * d + j]
                    g![0]![j] += grad * l.input[i * d + j]
                    g![1]![j] += grad
                    dx?[i * d + j] = grad * p![0]![j]
                }
            }
        }))
    return UnsafeRawPointer(table)
}
