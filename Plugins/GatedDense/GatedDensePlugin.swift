// An example run-time plugin in Swift: two layers through the C ABI (vaexprs_plugin.h).
//   gated_dense:UNITS   y = (x·W + b) ⊙ σ(x·V + c)   (a gated linear unit, Dauphin et al. 2017)
//   plugin_dense:UNITS  y = x·W + b                  (the built-in linear dense, to measure ABI overhead)
// Matrix products go through the host's sgemm, so the plugin links no BLAS.
import CVAExprsPluginABI
import Foundation

/// The host's services, set by `init`.
nonisolated(unsafe) private var host: UnsafePointer<vaexprs_host>!

/// One layer instance: its sizes and what forward keeps for backward.
private final class LayerState {
    let gated: Bool
    let units: Int
    var inputWidth = 0
    var input: [Float] = []
    var linear: [Float] = []
    var gate: [Float] = []
    init(gated: Bool, units: Int) { self.gated = gated; self.units = units }
}

private func state(_ raw: UnsafeMutableRawPointer?) -> LayerState { Unmanaged<LayerState>.fromOpaque(raw!).takeUnretainedValue() }

private func fail(_ message: String, _ error: UnsafeMutablePointer<CChar>?, _ size: Int) {
    guard let error, size > 0 else { return }
    let bytes = Array(message.utf8.prefix(size - 1))
    for (i, b) in bytes.enumerated() { error[i] = CChar(bitPattern: b) }
    error[bytes.count] = 0
}

private func create(gated: Bool, _ options: UnsafePointer<CChar>?, _ error: UnsafeMutablePointer<CChar>?, _ size: Int) -> UnsafeMutableRawPointer? {
    let json = options.map { String(cString: $0) } ?? "{}"
    let object = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: String] ?? [:]
    guard let text = object["0"] ?? object["units"], let units = Int(text), units > 0 else {
        fail("needs a positive number of units, e.g. \(gated ? "gated_dense" : "plugin_dense"):64", error, size)
        return nil
    }
    return Unmanaged.passRetained(LayerState(gated: gated, units: units)).toOpaque()
}

/// Row-major C = op(A)·op(B) + beta·C through the host.
private func sgemm(_ ta: Bool, _ tb: Bool, _ m: Int, _ n: Int, _ k: Int, _ a: UnsafePointer<Float>, _ lda: Int,
                   _ b: UnsafePointer<Float>, _ ldb: Int, _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
    host.pointee.sgemm(ta ? 1 : 0, tb ? 1 : 0, Int64(m), Int64(n), Int64(k), 1, a, Int64(lda), b, Int64(ldb), beta, c, Int64(ldc))
}

/// out = x·W + b for a batch.
private func affine(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ b: UnsafePointer<Float>, n: Int, d: Int, u: Int, into out: UnsafeMutablePointer<Float>) {
    for i in 0..<n { for j in 0..<u { out[i * u + j] = b[j] } }
    sgemm(false, false, n, u, d, x, d, w, u, 1, out, u)
}

/// Weight and bias gradients of an affine map given its output gradient; adds its input gradient into dx.
private func affineBackward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ dOut: UnsafePointer<Float>, n: Int, d: Int, u: Int,
                            dw: UnsafeMutablePointer<Float>, db: UnsafeMutablePointer<Float>, dx: UnsafeMutablePointer<Float>?, accumulate: Bool) {
    sgemm(true, false, d, u, n, x, d, dOut, u, 0, dw, u)
    for j in 0..<u { db[j] = 0 }
    for i in 0..<n { for j in 0..<u { db[j] += dOut[i * u + j] } }
    if let dx { sgemm(false, true, n, d, u, dOut, u, w, u, accumulate ? 1 : 0, dx, d) }
}

nonisolated(unsafe) private let parameterNames: [UnsafePointer<CChar>] = ["weight", "bias", "gate_weight", "gate_bias"].map { (name: String) in UnsafePointer(strdup(name)!) }

/// The vtable shared by both layers (`create` is set per layer).
private func layerTable() -> vaexprs_layer_vtable {
    vaexprs_layer_vtable(
        struct_size: UInt32(MemoryLayout<vaexprs_layer_vtable>.size),
        create: nil,
        destroy: { raw in Unmanaged<LayerState>.fromOpaque(raw!).release() },
        build: { raw, inputWidth, outputWidth, error, size in
            guard inputWidth > 0 else { fail("needs at least one input", error, size); return 1 }
            let s = state(raw)
            s.inputWidth = Int(inputWidth)
            outputWidth!.pointee = Int64(s.units)
            return 0
        },
        parameter_count: { raw in state(raw).gated ? 4 : 2 },
        parameter_shape: { raw, index, name, rows, columns in
            let s = state(raw)
            name!.pointee = parameterNames[Int(index)]
            rows!.pointee = index % 2 == 0 ? Int64(s.inputWidth) : 1
            columns!.pointee = Int64(s.units)
        },
        initialize: { raw, parameters, rng in
            // Glorot-uniform weights, zero biases (Keras' defaults), from the host's seeded generator.
            let s = state(raw)
            let limit = (6 / Double(s.inputWidth + s.units)).squareRoot()
            for p in 0..<(s.gated ? 4 : 2) {
                let isWeight = p % 2 == 0
                for i in 0..<(isWeight ? s.inputWidth * s.units : s.units) {
                    parameters![p]![i] = isWeight ? Float((host.pointee.rng_uniform(rng) * 2 - 1) * limit) : 0
                }
            }
        },
        forward: { raw, parameters, input, batch, output, _, _ in
            let s = state(raw)
            let n = Int(batch), d = s.inputWidth, u = s.units, p = parameters!
            s.input = Array(UnsafeBufferPointer(start: input!, count: n * d))
            guard s.gated else {
                affine(input!, p[0]!, p[1]!, n: n, d: d, u: u, into: output!)
                return
            }
            if s.linear.count != n * u { s.linear = [Float](repeating: 0, count: n * u); s.gate = s.linear }
            s.linear.withUnsafeMutableBufferPointer { lin in
                s.gate.withUnsafeMutableBufferPointer { g in
                    affine(input!, p[0]!, p[1]!, n: n, d: d, u: u, into: lin.baseAddress!)
                    affine(input!, p[2]!, p[3]!, n: n, d: d, u: u, into: g.baseAddress!)
                    for i in 0..<(n * u) {
                        g[i] = 1 / (1 + exp(-g[i]))
                        output![i] = lin[i] * g[i]
                    }
                }
            }
        },
        backward: { raw, parameters, outputGradient, batch, inputGradient, gradients in
            let s = state(raw)
            let n = Int(batch), d = s.inputWidth, u = s.units, p = parameters!, g = gradients!
            s.input.withUnsafeBufferPointer { x in
                guard s.gated else {
                    affineBackward(x.baseAddress!, p[0]!, outputGradient!, n: n, d: d, u: u, dw: g[0]!, db: g[1]!, dx: inputGradient, accumulate: false)
                    return
                }
                // dy/dlinear = gate; dy/dgate-logit = linear · gate · (1 − gate).
                var dLinear = [Float](repeating: 0, count: n * u), dGate = dLinear
                for i in 0..<(n * u) {
                    let gate = s.gate[i]
                    dLinear[i] = outputGradient![i] * gate
                    dGate[i] = outputGradient![i] * s.linear[i] * gate * (1 - gate)
                }
                dLinear.withUnsafeBufferPointer { dl in
                    dGate.withUnsafeBufferPointer { dg in
                        affineBackward(x.baseAddress!, p[0]!, dl.baseAddress!, n: n, d: d, u: u, dw: g[0]!, db: g[1]!, dx: inputGradient, accumulate: false)
                        affineBackward(x.baseAddress!, p[2]!, dg.baseAddress!, n: n, d: d, u: u, dw: g[2]!, db: g[3]!, dx: inputGradient, accumulate: true)
                    }
                }
            }
        })
}

private func cString(_ s: String) -> UnsafePointer<CChar> { UnsafePointer(strdup(s)!) }

/// The descriptor, built once.
nonisolated(unsafe) private let descriptor: UnsafeMutablePointer<vaexprs_plugin> = {
    let tables = UnsafeMutablePointer<vaexprs_layer_vtable>.allocate(capacity: 2)
    tables[0] = layerTable()
    tables[0].create = { create(gated: true, $0, $1, $2) }
    tables[1] = layerTable()
    tables[1].create = { create(gated: false, $0, $1, $2) }
    let components = UnsafeMutablePointer<vaexprs_component>.allocate(capacity: 2)
    components[0] = vaexprs_component(kind: UInt32(VAEXPRS_KIND_LAYER), name: cString("gated_dense"),
                                      description: cString("gated linear unit: (x·W + b) ⊙ σ(x·V + c)"), vtable: UnsafeRawPointer(tables))
    components[1] = vaexprs_component(kind: UInt32(VAEXPRS_KIND_LAYER), name: cString("plugin_dense"),
                                      description: cString("x·W + b through the plugin ABI (overhead benchmark)"), vtable: UnsafeRawPointer(tables + 1))
    let d = UnsafeMutablePointer<vaexprs_plugin>.allocate(capacity: 1)
    d.initialize(to: vaexprs_plugin(
        magic: VAEXPRS_PLUGIN_MAGIC, abi_version: VAEXPRS_PLUGIN_ABI_VERSION, struct_size: UInt32(MemoryLayout<vaexprs_plugin>.size),
        name: cString("gated-dense"), version: cString("1.0.0"), description: cString("Gated and plain dense layers written in Swift"),
        init: { services, _, _ in host = services; return 0 },
        component_size: UInt32(MemoryLayout<vaexprs_component>.size), component_count: 2, components: components))
    return d
}()

/// The entry symbol the host looks up.
@_cdecl("vaexprs_plugin_entry")
public func vaexprsPluginEntry() -> UnsafePointer<vaexprs_plugin> { UnsafePointer(descriptor) }
