// An example run-time plugin in Swift, written against the core's Layer protocol and exported
// with VAExprsPluginKit (which adapts it to the C ABI, vaexprs_plugin.h):
//   gated_dense:UNITS   y = (x·W + b) ⊙ σ(x·V + c)   (a gated linear unit, Dauphin et al. 2017)
//   plugin_dense:UNITS  y = x·W + b                  (the built-in linear dense, to measure ABI overhead)
// Products run on the host's BLAS threads (PluginHost.gemm).
import Foundation
import VAExprsPluginKit

/// The gated linear unit, or (gated: false) a plain affine layer.
final class GatedDense: Layer {
    let spec: ComponentSpec
    var computesInputGradient = true
    private let gated: Bool
    private let units: Int
    private(set) var parameters: [Parameter] = []
    private var input = Matrix(rows: 0, columns: 0)
    private var linear = Matrix(rows: 0, columns: 0)
    private var gate = Matrix(rows: 0, columns: 0)

    init(spec: ComponentSpec, gated: Bool) throws {
        let units = try spec.int("units", position: 0)
        guard units > 0 else {
            throw VAExprsError.usage(
                "\(spec.name) needs a positive number of units, e.g. \(spec.name):64, got \(units)")
        }
        self.spec = spec
        self.gated = gated
        self.units = units
    }

    func build(inputWidth: Int, path: String, rng: inout SeededGenerator) throws -> Int {
        guard inputWidth > 0 else { throw VAExprsError.usage("\(spec.name) needs at least one input") }
        // Glorot-uniform weights and zero biases (Keras' defaults).
        let limit = (6 / Double(inputWidth + units)).squareRoot()
        func weight(_ name: String) -> Parameter {
            Parameter(
                path: "\(path).\(name)", shape: [inputWidth, units],
                value: (0..<(inputWidth * units)).map { _ in Float((rng.nextUniform() * 2 - 1) * limit) })
        }
        func bias(_ name: String) -> Parameter {
            Parameter(path: "\(path).\(name)", shape: [units], value: [Float](repeating: 0, count: units))
        }
        parameters = [weight("weight"), bias("bias")]
        if gated { parameters += [weight("gate_weight"), bias("gate_bias")] }
        return units
    }

    /// x·W + b with the weight and bias at `index`, `index + 1`.
    private func affine(_ x: Matrix, _ index: Int) -> Matrix {
        var out = Matrix(uninitializedRows: x.rows, columns: units)
        parameters[index + 1].value.withUnsafeBufferPointer { b in
            out.storage.withUnsafeMutableBufferPointer { o in
                for i in 0..<x.rows { (o.baseAddress! + i * units).update(from: b.baseAddress!, count: units) }
            }
        }
        PluginHost.gemm(
            x, Matrix(rows: x.columns, columns: units, storage: parameters[index].value), into: &out, beta: 1)
        return out
    }

    func forward(_ x: Matrix, phase: Phase, rng: inout SeededGenerator) -> Matrix {
        input = x
        linear = affine(x, 0)
        guard gated else { return linear }
        gate = affine(x, 2)
        var y = linear
        for i in y.storage.indices {
            gate.storage[i] = 1 / (1 + exp(-gate.storage[i]))
            y.storage[i] *= gate.storage[i]
        }
        return y
    }

    /// Weight and bias gradients of the affine map at `index` for its output gradient `d`;
    /// adds d·Wᵀ into `dx` when it is kept.
    private func affineBackward(_ d: Matrix, _ index: Int, into dx: inout Matrix) {
        // Into the gradient's own storage (moved out and back), not a new array per step.
        var dw = Matrix(rows: input.columns, columns: units, storage: parameters[index].gradient)
        parameters[index].gradient = []
        PluginHost.gemm(input, transposeA: true, d, into: &dw)
        parameters[index].gradient = dw.storage
        parameters[index + 1].gradient = d.columnSums()
        if computesInputGradient {
            PluginHost.gemm(
                d, Matrix(rows: input.columns, columns: units, storage: parameters[index].value), transposeB: true,
                into: &dx, beta: 1)
        }
    }

    func backward(_ dy: Matrix) -> Matrix {
        var dx = Matrix(rows: computesInputGradient ? dy.rows : 0, columns: computesInputGradient ? input.columns : 0)
        guard gated else {
            affineBackward(dy, 0, into: &dx)
            return dx
        }
        // dy/dlinear = gate; dy/dgate-logit = linear · gate · (1 − gate).
        var dLinear = dy, dGate = dy
        for i in dy.storage.indices {
            let g = gate.storage[i]
            dLinear.storage[i] *= g
            dGate.storage[i] *= linear.storage[i] * g * (1 - g)
        }
        affineBackward(dLinear, 0, into: &dx)
        affineBackward(dGate, 2, into: &dx)
        return dx
    }
}

/// The entry symbol the host looks up.
@_cdecl("vaexprs_plugin_entry")
public func vaexprsPluginEntry() -> UnsafeRawPointer {
    PluginExport.descriptor(
        name: "gated-dense", version: "1.1.0", description: "Gated and plain dense layers written in Swift",
        components: [
            ExportedComponent(
                "gated_dense", "gated linear unit: (x·W + b) ⊙ σ(x·V + c)",
                .layer { try GatedDense(spec: $0, gated: true) }),
            ExportedComponent(
                "plugin_dense", "x·W + b through the plugin ABI (overhead benchmark)",
                .layer { try GatedDense(spec: $0, gated: false) })
        ])
}
