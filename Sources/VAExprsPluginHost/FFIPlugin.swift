import CFFI
import Foundation
import VAExprsCore

/// Plain C functions as components, without a vtable: a JSON manifest declares each
/// function's kind, name, symbol and C signature; the host checks the signature against what
/// the kind needs and calls the function through libffi.
///
/// ```json
/// {"name": "ffi-activations", "version": "1.0.0", "library": "libFFIActivations.so",
///  "functions": [
///    {"kind": "activation", "name": "softsign", "symbol": "softsign",
///     "signature": "void softsign(const float *x, float *y, int64_t n)",
///     "derivative": {"symbol": "softsign_derivative", "signature": "void (const float *x, float *dydx, int64_t n)"}},
///    {"kind": "reducer", "name": "head", "symbol": "head_reduce",
///     "signature": "int head_reduce(const double *x, int64_t n, int64_t d, int32_t k, double *out)"}]}
/// ```
/// `library` names a file in the manifest's own folder (no absolute path, no `..`); a manifest
/// found beside a library (`X.json` for `X.so`) may leave it out. A system library is used only
/// when someone placed it there explicitly (a symbolic link beside the manifest), and every
/// symbol must be defined by that library itself, not by one it depends on (libc's `abort`, say).
enum FFIPlugin {
    static func manifestBeside(_ library: String) -> String {
        ((library as NSString).deletingPathExtension) + ".json"
    }

    /// Whether a JSON file looks like a plugin manifest (has "functions").
    static func isManifest(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path),
            let data = try? handle.read(upToCount: PluginManifest.maximumBytes),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return false }
        try? handle.close()
        return object["functions"] != nil
    }

    /// Loads the manifest `manifest` (already checked by `PluginFileCheck`, at `verifiedPath`):
    /// parses it, checks and opens its library, and binds each function to a symbol that the
    /// library itself defines.
    static func load(manifest: String, verifiedPath: String, into registry: Registry, policy: PluginPolicy) throws
        -> PluginLoadResult.Loaded
    {
        func bad(_ message: String) -> VAExprsError { VAExprsError(.unusablePlugin, "\(manifest): \(message)") }
        guard let file = FileHandle(forReadingAtPath: verifiedPath) else {
            throw VAExprsError(.missingInput, "\(manifest): cannot be read")
        }
        let data = (try? file.read(upToCount: PluginManifest.maximumBytes + 1)) ?? Data()
        try? file.close()
        let parsed = try PluginManifest.parse(data, source: manifest)
        let folder = (verifiedPath as NSString).deletingLastPathComponent
        let library =
            parsed.library.map { (folder as NSString).appendingPathComponent($0) }
            ?? (verifiedPath as NSString).deletingPathExtension + ".so"
        let libraryPath: String
        do { libraryPath = try PluginFileCheck.verified(library, policy: policy) } catch let error as VAExprsError {
            throw bad("its library: \(error.template)")
        }
        try PluginLoader.checkSharedObject(libraryPath, named: library)
        guard let handle = dlopen(libraryPath, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown reason"
            if reason.contains("undefined symbol") {
                throw bad("its library \(library) has unresolved symbols (\(reason))")
            }
            throw bad("the dynamic loader refused its library \(library): \(reason)")
        }
        func bind(_ symbolName: String, _ what: String, _ signature: CSignature) throws -> FFIFunction {
            guard let pointer = dlsym(handle, symbolName) else {
                throw bad("\(what): symbol '\(symbolName)' is not in \(library)")
            }
            let origin = PluginFileCheck.definingObject(of: pointer)
            guard origin == libraryPath else {
                throw bad(
                    """
                    \(what): symbol '\(symbolName)' is not defined in \(library) but in \
                    \(origin ?? "another object") it depends on; a manifest binds only its own library's functions
                    """
                )
            }
            return try FFIFunction(pointer, signature)
        }
        let identity = PluginIdentity(name: parsed.name, version: parsed.version, file: manifest)
        var factories: [(ComponentFactory, String)] = []
        for function in parsed.functions {
            let what = "\(function.kind) '\(function.name)'"
            if function.kind == "activation", let derivativeSymbol = function.derivativeSymbol {
                let activation = FFIActivation(
                    name: function.name, forward: try bind(function.symbol, what, function.signature),
                    derivative: try bind(derivativeSymbol, "\(what) derivative", function.signature))
                factories.append((.activation { _ in activation }, function.name))
                factories.append(
                    (.layer { spec in ActivationFunctionLayer(spec: spec, activation: activation) }, function.name))
            } else {
                let call = try bind(function.symbol, what, function.signature)
                factories.append((.reducer { spec in FFIReducer(spec: spec, function: call) }, function.name))
            }
        }
        for (factory, componentName) in factories {
            if let existing = registry.entry(factory.kind, componentName) {
                throw bad(
                    """
                    \(factory.kind.rawValue) '\(componentName)' of plugin '\(parsed.name)' clashes with the one \
                    from \(existing.origin); rename one of them
                    """
                )
            }
        }
        for (factory, componentName) in factories {
            try registry.register(factory, name: componentName, origin: manifest, plugin: identity)
        }
        return PluginLoadResult.Loaded(
            identity: identity, description: parsed.description, components: factories.map { ($0.0.kind, $0.1) })
    }
}

/// A C function signature in canonical form (`const float*`, `int64_t`, ...).
struct CSignature: Equatable, CustomStringConvertible {
    var returns: String
    var parameters: [String]

    init(returns: String, parameters: [String]) {
        self.returns = returns
        self.parameters = parameters
    }

    /// Parses `void f(const float *x, float *y, int64_t n)` or `void (const float *, float *, int64_t)`.
    init(parsing text: String, source: String) throws {
        guard let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")"), open < close else {
            throw VAExprsError(
                .unusablePlugin, "\(source): signature '\(text)' is not of the form 'type name(type, ...)'")
        }
        var head = Self.tokens(String(text[..<open]))
        // the function's name
        if head.count > 1, let last = head.last, !Self.typeWords.contains(last), last != "*" { head.removeLast() }
        returns = try Self.canonical(head, source: source, text: text)
        let inside = text[text.index(after: open)..<close].trimmingCharacters(in: .whitespaces)
        parameters =
            inside.isEmpty || inside == "void"
            ? []
            : try inside.split(separator: ",").map { part in
                var words = Self.tokens(String(part))
                if words.count > 1, let last = words.last, !Self.typeWords.contains(last), last != "*" {
                    words.removeLast()
                }  // a parameter name
                return try Self.canonical(words, source: source, text: text)
            }
    }

    static let typeWords: Set<String> = [
        "const", "void", "float", "double", "int", "int32_t", "int64_t", "size_t", "long", "char", "unsigned", "uint8_t"
    ]

    static func tokens(_ s: String) -> [String] {
        s.replacingOccurrences(of: "*", with: " * ").split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
            .map(String.init)
    }

    static func canonical(_ words: [String], source: String, text: String) throws -> String {
        let isConst = words.contains("const")
        let pointers = words.filter { $0 == "*" }.count
        var base = words.filter { $0 != "const" && $0 != "*" }.joined(separator: " ")
        if base == "int" { base = "int32_t" }
        if base == "long" || base == "long long" { base = "int64_t" }
        guard ["void", "float", "double", "int32_t", "int64_t", "size_t"].contains(base), pointers <= 1 else {
            throw VAExprsError(
                .unusablePlugin, "\(source): unsupported type '\(words.joined(separator: " "))' in '\(text)'")
        }
        return (isConst && pointers == 1 ? "const " : "") + base + (pointers == 1 ? "*" : "")
    }

    var description: String { "\(returns) (\(parameters.joined(separator: ", ")))" }

    func expect(_ needed: CSignature, what: String, manifest: String) throws {
        guard self == needed else {
            throw VAExprsError(
                .unusablePlugin, "\(manifest): \(what) is declared as `\(self)` but this kind needs `\(needed)`")
        }
    }
}

/// A prepared libffi call interface for one function.
final class FFIFunction: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    private let cif = UnsafeMutablePointer<ffi_cif>.allocate(capacity: 1)
    private let types: UnsafeMutablePointer<UnsafeMutablePointer<ffi_type>?>
    let signature: CSignature

    init(_ pointer: UnsafeMutableRawPointer, _ signature: CSignature) throws {
        self.pointer = pointer
        self.signature = signature
        types = .allocate(capacity: max(signature.parameters.count, 1))
        for (i, p) in signature.parameters.enumerated() { types[i] = Self.type(p) }
        let status = ffi_prep_cif(
            cif, FFI_DEFAULT_ABI, UInt32(signature.parameters.count), Self.type(signature.returns), types)
        guard status == FFI_OK else {
            throw VAExprsError(
                .unusablePlugin, "libffi could not prepare a call for `\(signature)` (status \(status.rawValue))")
        }
    }

    static func type(_ canonical: String) -> UnsafeMutablePointer<ffi_type> {
        if canonical.hasSuffix("*") { return vaexprs_ffi_pointer() }
        switch canonical {
        case "void": return vaexprs_ffi_void()
        case "int32_t": return vaexprs_ffi_sint32()
        case "int64_t", "size_t": return vaexprs_ffi_sint64()
        case "double": return vaexprs_ffi_double()
        default: return vaexprs_ffi_float()
        }
    }

    /// Calls the function with argument slots (each pointing at one argument's value).
    func call(_ arguments: [UnsafeMutableRawPointer], result: UnsafeMutableRawPointer?) {
        var slots = arguments.map { Optional($0) }
        slots.withUnsafeMutableBufferPointer { args in
            ffi_call(cif, unsafeBitCast(pointer, to: (@convention(c) () -> Void).self), result, args.baseAddress)
        }
    }
}

/// An activation whose forward and derivative are plain C functions `void f(const float *x, float *y, int64_t n)`.
struct FFIActivation: Activation {
    let name: String
    let forward: FFIFunction
    let derivative: FFIFunction

    private func run(_ function: FFIFunction, _ x: [Float], into y: inout [Float]) {
        var n = Int64(x.count)
        x.withUnsafeBufferPointer { xs in
            y.withUnsafeMutableBufferPointer { ys in
                var px = UnsafeRawPointer(xs.baseAddress!), py = UnsafeMutableRawPointer(ys.baseAddress!)
                withUnsafeMutablePointer(to: &px) { a in
                    withUnsafeMutablePointer(to: &py) { b in
                        withUnsafeMutablePointer(to: &n) { c in
                            function.call(
                                [UnsafeMutableRawPointer(a), UnsafeMutableRawPointer(b), UnsafeMutableRawPointer(c)],
                                result: nil)
                        }
                    }
                }
            }
        }
    }

    func apply(_ values: inout [Float]) {
        let x = values
        run(forward, x, into: &values)
    }

    func backward(input x: [Float], output y: [Float], gradient: inout [Float]) {
        var slope = [Float](repeating: 0, count: x.count)
        run(derivative, x, into: &slope)
        for i in gradient.indices { gradient[i] *= slope[i] }
    }
}

/// A stand-alone layer applying an activation (so `--encoder dense:64,softsign` works too).
final class ActivationFunctionLayer: Layer {
    let spec: ComponentSpec
    let activation: any Activation
    var parameters: [Parameter] { [] }
    var computesInputGradient = true
    private var input: [Float] = [], output: [Float] = []
    private var width = 0

    init(spec: ComponentSpec, activation: any Activation) {
        self.spec = spec
        self.activation = activation
    }

    func build(inputWidth: Int, path: String, rng: inout SeededGenerator) throws -> Int {
        width = inputWidth
        return inputWidth
    }

    func forward(_ x: Matrix, phase: Phase, rng: inout SeededGenerator) -> Matrix {
        input = x.storage
        var out = x
        activation.apply(&out.storage)
        output = out.storage
        return out
    }

    func backward(_ outputGradient: Matrix) -> Matrix {
        var g = outputGradient
        activation.backward(input: input, output: output, gradient: &g.storage)
        return g
    }
}

/// A reducer that is a plain C function `int f(const double *x, int64_t n, int64_t d, int32_t k, double *out)`.
struct FFIReducer: Reducer {
    let spec: ComponentSpec
    let function: FFIFunction

    func reduce(_ data: DoubleMatrix, components: Int, rng: inout SeededGenerator) throws -> Embedding {
        var out = DoubleMatrix(rows: data.rows, columns: components)
        var status: Int64 = 0  // ffi widens small integer returns to a full register
        var n = Int64(data.rows), d = Int64(data.columns), k = Int32(components)
        data.storage.withUnsafeBufferPointer { xs in
            out.storage.withUnsafeMutableBufferPointer { os in
                var px = UnsafeRawPointer(xs.baseAddress!), po = UnsafeMutableRawPointer(os.baseAddress!)
                withUnsafeMutablePointer(to: &px) { a in
                    withUnsafeMutablePointer(to: &n) { b in
                        withUnsafeMutablePointer(to: &d) { c in
                            withUnsafeMutablePointer(to: &k) { e in
                                withUnsafeMutablePointer(to: &po) { f in
                                    withUnsafeMutablePointer(to: &status) { r in
                                        function.call(
                                            [
                                                UnsafeMutableRawPointer(a), UnsafeMutableRawPointer(b),
                                                UnsafeMutableRawPointer(c),
                                                UnsafeMutableRawPointer(e), UnsafeMutableRawPointer(f)
                                            ], result: UnsafeMutableRawPointer(r))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let code = Int32(truncatingIfNeeded: status)
        guard code == 0 else { throw VAExprsError(.unusablePlugin, "reducer '\(spec.name)' returned status \(code)") }
        guard out.storage.allSatisfy(\.isFinite) else {
            throw VAExprsError(.unusablePlugin, "reducer '\(spec.name)' returned non-finite coordinates")
        }
        return Embedding(coordinates: out, axisTitles: (1...max(components, 1)).map { "\(spec.name)\($0)" })
    }
}
