import CVAExprsPluginABI
import Foundation
import VAExprsCore

/// A plugin's vtable pointer; the table is static data of a never-unloaded library.
struct VTable<T>: @unchecked Sendable {
    /// A copy of the plugin's vtable; fields past the size the plugin declared are zero (NULL).
    let table: T
}

/// A plugin-side object made by `create`, destroyed with the component.
final class PluginState: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer
    private let destroy: (@convention(c) (UnsafeMutableRawPointer?) -> Void)?

    init(raw: UnsafeMutableRawPointer, destroy: (@convention(c) (UnsafeMutableRawPointer?) -> Void)?) {
        self.raw = raw
        self.destroy = destroy
    }

    deinit { destroy?(raw) }

    /// Calls a vtable's `create` with the spec's options; throws the plugin's message.
    static func make(
        _ spec: ComponentSpec, what: String,
        create: (
            @convention(c) (UnsafePointer<CChar>?, UnsafeMutablePointer<CChar>?, Int) -> UnsafeMutableRawPointer?
        )?,
        destroy: (@convention(c) (UnsafeMutableRawPointer?) -> Void)?
    ) throws -> PluginState {
        guard let create else { throw VAExprsError(.unusablePlugin, "\(what): the plugin gives no create function") }
        var made: UnsafeMutableRawPointer?
        try HostServices.checked("\(spec.source): \(what)") { error, size in
            made = HostServices.optionsJSON(spec).withCString { create($0, error, size) }
            return made != nil
        }
        return PluginState(raw: made!, destroy: destroy)
    }
}

/// Runs `body` with stable pointers to each parameter's values (or gradients).
func withParameterPointers<R>(
    _ parameters: ArraySlice<Parameter>, gradients: Bool, _ collected: [UnsafeMutablePointer<Float>] = [],
    _ body: ([UnsafeMutablePointer<Float>]) -> R
) -> R {
    guard let first = parameters.first else { return body(collected) }
    if gradients {
        return first.gradient.withUnsafeMutableBufferPointer { p in
            withParameterPointers(parameters.dropFirst(), gradients: true, collected + [p.baseAddress!], body)
        }
    }
    return first.value.withUnsafeMutableBufferPointer { p in
        withParameterPointers(parameters.dropFirst(), gradients: false, collected + [p.baseAddress!], body)
    }
}

/// A layer implemented by a plugin's `vaexprs_layer_vtable`.
final class PluginLayer: Layer {
    let spec: ComponentSpec
    private let vtable: VTable<vaexprs_layer_vtable>
    private let state: PluginState
    private(set) var parameters: [Parameter] = []
    var computesInputGradient = true
    private var inputWidth = 0
    private var outputWidth = 0
    private var lastBatch = 0

    init(spec: ComponentSpec, vtable: VTable<vaexprs_layer_vtable>) throws {
        self.spec = spec
        self.vtable = vtable
        state = try PluginState.make(
            spec, what: "layer '\(spec.name)'", create: vtable.table.create, destroy: vtable.table.destroy)
    }

    func build(inputWidth: Int, path: String, rng: inout SeededGenerator) throws -> Int {
        let t = vtable.table
        var output: Int64 = 0
        try HostServices.checked("\(spec.source): layer '\(spec.name)'") { error, size in
            t.build(state.raw, Int64(inputWidth), &output, error, size) == 0
        }
        guard output > 0 else {
            throw VAExprsError(.unusablePlugin, "\(spec.source): layer '\(spec.name)' declared \(output) outputs")
        }
        self.inputWidth = inputWidth
        outputWidth = Int(output)
        parameters = (0..<Int(t.parameter_count(state.raw))).map { index in
            var name: UnsafePointer<CChar>?
            var rows: Int64 = 0, columns: Int64 = 0
            t.parameter_shape(state.raw, Int32(index), &name, &rows, &columns)
            let label = name.map { String(cString: $0) } ?? "p\(index)"
            return Parameter(
                path: "\(path).\(label)", shape: [Int(rows), Int(columns)],
                value: [Float](repeating: 0, count: Int(max(rows, 0) * max(columns, 0))))
        }
        HostServices.withRNG(&rng) { handle in
            withParameterPointers(parameters[...], gradients: false) { pointers in
                pointers.map { Optional($0) }.withUnsafeBufferPointer {
                    t.initialize(state.raw, $0.baseAddress, handle)
                }
            }
        }
        return outputWidth
    }

    func forward(_ input: Matrix, phase: Phase, rng: inout SeededGenerator) -> Matrix {
        let t = vtable.table
        var output = Matrix(rows: input.rows, columns: outputWidth)
        lastBatch = input.rows
        HostServices.withRNG(&rng) { handle in
            withParameterPointers(parameters[...], gradients: false) { pointers in
                pointers.map { UnsafePointer(Optional($0)) }.withUnsafeBufferPointer { params in
                    input.storage.withUnsafeBufferPointer { x in
                        output.storage.withUnsafeMutableBufferPointer { y in
                            t.forward(
                                state.raw, params.baseAddress, x.baseAddress, Int64(input.rows), y.baseAddress,
                                phase == .training ? 1 : 0, handle)
                        }
                    }
                }
            }
        }
        return output
    }

    func backward(_ outputGradient: Matrix) -> Matrix {
        let t = vtable.table
        var inputGradient =
            computesInputGradient ? Matrix(rows: lastBatch, columns: inputWidth) : Matrix(rows: 0, columns: 0)
        let wantInput = computesInputGradient
        withParameterPointers(parameters[...], gradients: false) { values in
            withParameterPointers(parameters[...], gradients: true) { gradients in
                values.map { UnsafePointer(Optional($0)) }.withUnsafeBufferPointer { params in
                    gradients.map { Optional($0) }.withUnsafeBufferPointer { grads in
                        outputGradient.storage.withUnsafeBufferPointer { dy in
                            inputGradient.storage.withUnsafeMutableBufferPointer { dx in
                                t.backward(
                                    state.raw, params.baseAddress, dy.baseAddress, Int64(lastBatch),
                                    wantInput ? dx.baseAddress : nil, grads.baseAddress)
                            }
                        }
                    }
                }
            }
        }
        return inputGradient
    }
}

/// An activation implemented by a plugin's `vaexprs_activation_vtable`.
struct PluginActivation: Activation {
    let name: String
    let vtable: VTable<vaexprs_activation_vtable>

    func apply(_ values: inout [Float]) {
        let x = values
        let n = Int64(values.count)
        x.withUnsafeBufferPointer { xs in
            values.withUnsafeMutableBufferPointer { ys in vtable.table.forward(xs.baseAddress, ys.baseAddress, n) }
        }
    }

    func backward(input x: [Float], output y: [Float], gradient: inout [Float]) {
        let dy = gradient
        let n = Int64(gradient.count)
        x.withUnsafeBufferPointer { xs in
            y.withUnsafeBufferPointer { ys in
                dy.withUnsafeBufferPointer { dys in
                    gradient.withUnsafeMutableBufferPointer { dx in
                        vtable.table.backward(xs.baseAddress, ys.baseAddress, dys.baseAddress, dx.baseAddress, n)
                    }
                }
            }
        }
    }
}

/// A likelihood implemented by a plugin's `vaexprs_likelihood_vtable` (no parameters through
/// the ABI). ABI 2 plugins get each batch's cell context and may score raw counts; ABI 1
/// plugins are called without context.
final class PluginLikelihood: Likelihood {
    let spec: ComponentSpec
    private let vtable: VTable<vaexprs_likelihood_vtable>
    private let state: PluginState
    var parameters: [Parameter] { [] }
    var defaultDecodeMode: DecodeMode { .sample }
    let data: LikelihoodData
    private var groups: Int32 = 0

    init(spec: ComponentSpec, vtable: VTable<vaexprs_likelihood_vtable>) throws {
        self.spec = spec
        self.vtable = vtable
        data = vtable.table.data == UInt32(VAEXPRS_LIKELIHOOD_COUNTS) ? .counts : .scaled
        state = try PluginState.make(
            spec, what: "likelihood '\(spec.name)'", create: vtable.table.create, destroy: vtable.table.destroy)
    }

    func build(features: Int, groups: Int, training: Matrix, context: CellContext, path: String) throws {
        self.groups = Int32(clamping: groups)
    }

    /// Calls `body` with the C view of `context` (pointers valid during the call only).
    private func withCContext<R>(_ context: CellContext, _ body: (UnsafePointer<vaexprs_cell_context>) -> R) -> R {
        let library = context.librarySize ?? [], group = context.group ?? []
        return library.withUnsafeBufferPointer { l in
            group.withUnsafeBufferPointer { g in
                var c = vaexprs_cell_context(
                    struct_size: UInt32(MemoryLayout<vaexprs_cell_context>.size),
                    library_size: context.librarySize == nil ? nil : l.baseAddress,
                    group: context.group == nil ? nil : g.baseAddress, group_count: groups)
                return withUnsafePointer(to: &c) { body($0) }
            }
        }
    }

    func evaluate(output: Matrix, target: Matrix, context: CellContext, gradient: Bool, scale: Float)
        -> LikelihoodEvaluation
    {
        var total = 0.0
        var grad = gradient ? Matrix(rows: output.rows, columns: output.columns) : Matrix(rows: 0, columns: 0)
        let rows = Int64(output.rows), columns = Int64(output.columns)
        output.storage.withUnsafeBufferPointer { o in
            target.storage.withUnsafeBufferPointer { t in
                grad.storage.withUnsafeMutableBufferPointer { g in
                    let gradientPointer = gradient ? g.baseAddress : nil
                    if let evaluateCells = vtable.table.evaluate_cells {
                        withCContext(context) {
                            evaluateCells(
                                state.raw, o.baseAddress, t.baseAddress, rows, columns, $0, scale, &total,
                                gradientPointer)
                        }
                    } else {
                        vtable.table.evaluate(
                            state.raw, o.baseAddress, t.baseAddress, rows, columns, scale, &total, gradientPointer)
                    }
                }
            }
        }
        return LikelihoodEvaluation(total: total, outputGradient: gradient ? grad : nil)
    }

    func mean(output: Matrix, context: CellContext) -> Matrix {
        var out = Matrix(rows: output.rows, columns: output.columns)
        let rows = Int64(output.rows), columns = Int64(output.columns)
        output.storage.withUnsafeBufferPointer { o in
            out.storage.withUnsafeMutableBufferPointer { m in
                if let meanCells = vtable.table.mean_cells {
                    withCContext(context) { meanCells(state.raw, o.baseAddress, rows, columns, $0, m.baseAddress) }
                } else {
                    vtable.table.mean(state.raw, o.baseAddress, rows, columns, m.baseAddress)
                }
            }
        }
        return out
    }

    func sample(output: Matrix, context: CellContext, rng: inout SeededGenerator) throws -> Matrix {
        var out = Matrix(rows: output.rows, columns: output.columns)
        let rows = Int64(output.rows), columns = Int64(output.columns)
        HostServices.withRNG(&rng) { handle in
            output.storage.withUnsafeBufferPointer { o in
                out.storage.withUnsafeMutableBufferPointer { m in
                    if let sampleCells = vtable.table.sample_cells {
                        withCContext(context) {
                            sampleCells(state.raw, o.baseAddress, rows, columns, $0, m.baseAddress, handle)
                        }
                    } else {
                        vtable.table.sample(state.raw, o.baseAddress, rows, columns, m.baseAddress, handle)
                    }
                }
            }
        }
        return out
    }
}

/// A prior implemented by a plugin's `vaexprs_prior_vtable`.
struct PluginPrior: Prior {
    let spec: ComponentSpec
    let vtable: VTable<vaexprs_prior_vtable>
    let state: PluginState

    func klDivergence(mean: Matrix, logVariance: Matrix, gradient: Bool, scale: Float) -> KLEvaluation {
        var total = 0.0
        var gm = gradient ? Matrix(rows: mean.rows, columns: mean.columns) : Matrix(rows: 0, columns: 0)
        var gv = gm
        mean.storage.withUnsafeBufferPointer { m in
            logVariance.storage.withUnsafeBufferPointer { v in
                gm.storage.withUnsafeMutableBufferPointer { a in
                    gv.storage.withUnsafeMutableBufferPointer { b in
                        vtable.table.kl(
                            state.raw, m.baseAddress, v.baseAddress, Int64(mean.rows), Int64(mean.columns), scale,
                            &total,
                            gradient ? a.baseAddress : nil, gradient ? b.baseAddress : nil)
                    }
                }
            }
        }
        return KLEvaluation(total: total, meanGradient: gradient ? gm : nil, logVarianceGradient: gradient ? gv : nil)
    }

    func sample(count: Int, dimension: Int, rng: inout SeededGenerator) -> Matrix {
        var out = Matrix(rows: count, columns: dimension)
        HostServices.withRNG(&rng) { handle in
            out.storage.withUnsafeMutableBufferPointer { o in
                vtable.table.sample(state.raw, Int64(count), Int64(dimension), o.baseAddress, handle)
            }
        }
        return out
    }
}

/// A latent sampler implemented by a plugin's `vaexprs_latent_sampler_vtable`.
struct PluginLatentSampler: LatentSampler {
    let spec: ComponentSpec
    let vtable: VTable<vaexprs_latent_sampler_vtable>
    let state: PluginState

    /// A fitted distribution owned by the plugin.
    final class Fitted: FittedLatentDistribution, @unchecked Sendable {
        let raw: UnsafeMutableRawPointer
        let vtable: VTable<vaexprs_latent_sampler_vtable>
        let dimension: Int
        init(raw: UnsafeMutableRawPointer, vtable: VTable<vaexprs_latent_sampler_vtable>, dimension: Int) {
            self.raw = raw
            self.vtable = vtable
            self.dimension = dimension
        }
        deinit { vtable.table.destroy_fitted?(raw) }
        var summary: String { vtable.table.summary?(raw).map { String(cString: $0) } ?? "plugin distribution" }
        func sample(count: Int, rng: inout SeededGenerator) -> DoubleMatrix {
            var out = DoubleMatrix(rows: count, columns: dimension)
            HostServices.withRNG(&rng) { handle in
                out.storage.withUnsafeMutableBufferPointer { o in
                    vtable.table.sample(raw, Int64(count), Int64(dimension), o.baseAddress, handle)
                }
            }
            return out
        }
    }

    func fit(_ points: DoubleMatrix, label: String?, rng: inout SeededGenerator) throws -> any FittedLatentDistribution
    {
        var fitted: UnsafeMutableRawPointer?
        let t = vtable.table
        try HostServices.checked("latent sampler '\(spec.name)'") { error, size in
            fitted = HostServices.withRNG(&rng) { handle in
                points.storage.withUnsafeBufferPointer { p in
                    if let label {
                        return label.withCString {
                            t.fit(
                                state.raw, p.baseAddress, Int64(points.rows), Int64(points.columns), $0, handle, error,
                                size)
                        }
                    }
                    return t.fit(
                        state.raw, p.baseAddress, Int64(points.rows), Int64(points.columns), nil, handle, error, size)
                }
            }
            return fitted != nil
        }
        return Fitted(raw: fitted!, vtable: vtable, dimension: points.columns)
    }
}

/// A reducer implemented by a plugin's `vaexprs_reducer_vtable`.
struct PluginReducer: Reducer {
    let spec: ComponentSpec
    let vtable: VTable<vaexprs_reducer_vtable>
    let state: PluginState

    func reduce(_ data: DoubleMatrix, components: Int, rng: inout SeededGenerator) throws -> Embedding {
        var out = DoubleMatrix(rows: data.rows, columns: components)
        let t = vtable.table
        try HostServices.checked("reducer '\(spec.name)'") { error, size in
            HostServices.withRNG(&rng) { handle in
                data.storage.withUnsafeBufferPointer { x in
                    out.storage.withUnsafeMutableBufferPointer { o in
                        t.reduce(
                            state.raw, x.baseAddress, Int64(data.rows), Int64(data.columns), Int32(components),
                            o.baseAddress, handle, error, size) == 0
                    }
                }
            }
        }
        guard out.storage.allSatisfy(\.isFinite) else {
            throw VAExprsError(.unusablePlugin, "reducer '\(spec.name)' returned non-finite coordinates")
        }
        return Embedding(coordinates: out, axisTitles: (1...max(components, 1)).map { "\(spec.name)\($0)" })
    }
}

/// A renderer implemented by a plugin's `vaexprs_renderer_vtable`: the figure goes over as JSON.
struct PluginRenderer: Renderer {
    let spec: ComponentSpec
    let vtable: VTable<vaexprs_renderer_vtable>
    var fileExtensions: [String] { Self.extensions(vtable) }

    /// The comma-separated extensions a renderer's vtable declares, lower case.
    static func extensions(_ vtable: VTable<vaexprs_renderer_vtable>) -> [String] {
        (vtable.table.file_extensions.map { String(cString: $0) } ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
    }

    func render(_ figure: Figure) throws -> [UInt8] {
        let json = String(decoding: try JSONEncoder().encode(figure), as: UTF8.self)
        var bytes: UnsafeMutablePointer<UInt8>?
        var length = 0
        let t = vtable.table
        try HostServices.checked("renderer '\(spec.name)'") { error, size in
            HostServices.optionsJSON(spec).withCString { options in
                json.withCString { figureJSON in t.render(options, figureJSON, &bytes, &length, error, size) == 0 }
            }
        }
        guard let bytes else { return [] }
        defer { HostServices.table.pointee.free(bytes) }
        return Array(UnsafeBufferPointer(start: bytes, count: length))
    }
}
