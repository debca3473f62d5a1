import Synchronization

/// A component factory for one kind, taking a typed configuration.
public enum ComponentFactory: Sendable {
    /// Makes a layer.
    case layer(@Sendable (ComponentSpec) throws -> any Layer)
    /// Makes an activation.
    case activation(@Sendable (ComponentSpec) throws -> any Activation)
    /// Makes a likelihood.
    case likelihood(@Sendable (ComponentSpec) throws -> any Likelihood)
    /// Makes a prior.
    case prior(@Sendable (ComponentSpec) throws -> any Prior)
    /// Makes a latent sampler.
    case latentSampler(@Sendable (ComponentSpec) throws -> any LatentSampler)
    /// Makes an optimizer.
    case optimizer(@Sendable (ComponentSpec) throws -> any Optimizer)
    /// Makes a dimension reducer.
    case reducer(@Sendable (ComponentSpec) throws -> any Reducer)
    /// Makes a plot renderer.
    case renderer(@Sendable (ComponentSpec) throws -> any Renderer)

    /// The kind this factory makes.
    public var kind: ComponentKind {
        switch self {
        case .layer: .layer
        case .activation: .activation
        case .likelihood: .likelihood
        case .prior: .prior
        case .latentSampler: .latentSampler
        case .optimizer: .optimizer
        case .reducer: .reducer
        case .renderer: .renderer
        }
    }
}

/// One registered component, as listed by `plugins list`.
public struct RegistryEntry: Sendable {
    /// Its kind.
    public let kind: ComponentKind
    /// Its registered name.
    public let name: String
    /// Where it comes from, e.g. `built-in (VAExprsNN)` or a plugin file path.
    public let origin: String
    /// Its factory.
    public let factory: ComponentFactory
    /// The run-time plugin it comes from (nil for built-ins).
    public let plugin: PluginIdentity?
    /// What it is, known without making one.
    public let facts: ComponentFacts
}

/// A loaded run-time plugin's name, version and file, recorded with what it registers.
public struct PluginIdentity: Codable, Sendable, Equatable, Hashable {
    /// The plugin's own name (from its descriptor or manifest).
    public var name: String
    /// Its version string.
    public var version: String
    /// The file it was loaded from.
    public var file: String

    /// An identity.
    public init(name: String, version: String, file: String) {
        self.name = name
        self.version = version
        self.file = file
    }
}

/// Kinds × names → factories. Built-ins and run-time plugins register through the same
/// `register` call; a name registered twice for one kind is an error naming both origins.
/// Thread-safe.
public final class Registry: Sendable {
    private struct Key: Hashable {
        let kind: ComponentKind
        let name: String
    }
    private let entries = Mutex<[Key: RegistryEntry]>([:])

    /// An empty registry.
    public init() {}

    /// Registers `factory` under `name` with its `facts`; throws when the kind already has that
    /// name, or for a likelihood that does not say what it scores. `plugin` identifies the
    /// run-time plugin registering it (nil for built-ins).
    public func register(
        _ factory: ComponentFactory, name: String, origin: String, plugin: PluginIdentity? = nil,
        facts: ComponentFacts = ComponentFacts()
    ) throws {
        if factory.kind == .likelihood && (facts.likelihoodData == nil || facts.outputsPerFeature < 1) {
            throw VAExprsError(
                .unusablePlugin,
                """
                \(origin): likelihood '\(name)' registers without saying what it scores (counts or scaled values) \
                and how many decoder outputs it reads per gene
                """
            )
        }
        if plugin != nil && !ComponentName.isValid(name) {
            throw VAExprsError(
                .unusablePlugin,
                """
                \(origin): \(factory.kind.rawValue) '\(ComponentName.shown(name))' has an invalid name; component \
                names are \(ComponentName.rule)
                """
            )
        }
        let key = Key(kind: factory.kind, name: name.lowercased())
        try entries.withLock { table in
            if let existing = table[key] {
                throw VAExprsError(
                    .unusablePlugin,
                    """
                    \(factory.kind.rawValue) '\(name)' from \(origin) clashes with the one from \
                    \(existing.origin); rename one of them
                    """
                )
            }
            table[key] = RegistryEntry(
                kind: factory.kind, name: key.name, origin: origin, factory: factory, plugin: plugin, facts: facts)
        }
    }

    /// Every entry, sorted by kind then name.
    public var entriesSorted: [RegistryEntry] {
        entries.withLock { Array($0.values) }.sorted { ($0.kind, $0.name) < ($1.kind, $1.name) }
    }

    /// The entry for (`kind`, `name`), if registered.
    public func entry(_ kind: ComponentKind, _ name: String) -> RegistryEntry? {
        entries.withLock { $0[Key(kind: kind, name: name.lowercased())] }
    }

    /// The registered names of one kind, sorted.
    public func names(of kind: ComponentKind) -> [String] {
        entries.withLock { $0.keys.filter { $0.kind == kind }.map(\.name) }.sorted()
    }

    /// The factory for (`kind`, `spec.name`), or an error listing the valid names.
    package func factory(_ kind: ComponentKind, for spec: ComponentSpec) throws -> ComponentFactory {
        try registered(kind, for: spec).factory
    }

    /// The entry for (`kind`, `spec.name`), or an error listing the valid names.
    private func registered(_ kind: ComponentKind, for spec: ComponentSpec) throws -> RegistryEntry {
        if let entry = entry(kind, spec.name) { return entry }
        let valid = names(of: kind).joined(separator: ", ")
        throw VAExprsError.usage("\(spec.source): unknown \(kind.rawValue) '\(spec.name)'; valid names: \(valid)")
    }

    /// Makes a component of the kind `extract` accepts from its spec.
    /// A built-in component's options and positional arguments that its factory did not read
    /// are an error naming the valid ones (a plugin's factory sees its options through the ABI,
    /// so plugins judge their own).
    private func make<T>(
        _ kind: ComponentKind, _ spec: ComponentSpec,
        _ extract: (ComponentFactory) -> ((ComponentSpec) throws -> T)?
    ) throws -> T {
        let entry = try registered(kind, for: spec)
        guard let make = extract(entry.factory) else {
            // register() keys by the factory's kind
            fatalError("registry holds a \(kind.rawValue) entry of another kind")
        }
        var tracked = spec
        tracked.reads = ArgumentReads()
        let component = try make(tracked)
        guard entry.plugin == nil else { return component }
        let asked = tracked.reads.asked
        let unknown = Set(spec.options.keys).subtracting(asked.keys).sorted()
        if !unknown.isEmpty {
            let valid = asked.keys.sorted()
            throw VAExprsError.usage(
                """
                \(spec.source): \(kind.rawValue) '\(spec.name)' has no option \
                \(unknown.map { "'\($0)'" }.joined(separator: ", ")); 
                """
                    + (valid.isEmpty ? "it takes no options" : "valid: \(valid.joined(separator: ", "))"))
        }
        if spec.positional.count > asked.positionalCount {
            throw VAExprsError.usage(
                """
                \(spec.source): \(kind.rawValue) '\(spec.name)' takes at most \(asked.positionalCount) positional \
                argument(s), got \(spec.positional.count) ('\(spec.description)')
                """
            )
        }
        return component
    }

    /// The facts of the component `spec` names, or an error listing the valid names (nothing is made).
    public func facts(_ kind: ComponentKind, _ spec: ComponentSpec) throws -> ComponentFacts {
        try registered(kind, for: spec).facts
    }

    /// What the likelihood `spec` names scores and how many decoder outputs it reads per gene.
    public func likelihoodFacts(_ spec: ComponentSpec) throws -> (data: LikelihoodData, outputsPerFeature: Int) {
        let facts = try facts(.likelihood, spec)
        // register() refuses a likelihood without its data kind.
        return (facts.likelihoodData ?? .scaled, facts.outputsPerFeature)
    }

    /// Makes a layer from its spec.
    public func makeLayer(_ spec: ComponentSpec) throws -> any Layer {
        try make(.layer, spec) { if case .layer(let f) = $0 { f } else { nil } }
    }

    /// Makes an activation from its spec.
    public func makeActivation(_ spec: ComponentSpec) throws -> any Activation {
        try make(.activation, spec) { if case .activation(let f) = $0 { f } else { nil } }
    }

    /// Makes a likelihood from its spec.
    public func makeLikelihood(_ spec: ComponentSpec) throws -> any Likelihood {
        try make(.likelihood, spec) { if case .likelihood(let f) = $0 { f } else { nil } }
    }

    /// Makes a prior from its spec.
    public func makePrior(_ spec: ComponentSpec) throws -> any Prior {
        try make(.prior, spec) { if case .prior(let f) = $0 { f } else { nil } }
    }

    /// Makes a latent sampler from its spec.
    public func makeLatentSampler(_ spec: ComponentSpec) throws -> any LatentSampler {
        try make(.latentSampler, spec) { if case .latentSampler(let f) = $0 { f } else { nil } }
    }

    /// Makes an optimizer from its spec.
    public func makeOptimizer(_ spec: ComponentSpec) throws -> any Optimizer {
        try make(.optimizer, spec) { if case .optimizer(let f) = $0 { f } else { nil } }
    }

    /// Makes a dimension reducer from its spec.
    public func makeReducer(_ spec: ComponentSpec) throws -> any Reducer {
        try make(.reducer, spec) { if case .reducer(let f) = $0 { f } else { nil } }
    }

    /// Makes a plot renderer from its spec.
    public func makeRenderer(_ spec: ComponentSpec) throws -> any Renderer {
        try make(.renderer, spec) { if case .renderer(let f) = $0 { f } else { nil } }
    }
}
