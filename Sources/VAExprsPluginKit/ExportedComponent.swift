/// One component a Swift plugin exports: the name it registers under, a line for
/// `plugins list`, and the same factory a built-in registers with (`ComponentFactory`).
public struct ExportedComponent: Sendable {
    /// The name users write (`gated_dense` in `--encoder gated_dense:64`).
    public let name: String
    /// A one-line description.
    public let description: String
    /// Makes the component from the user's settings (its spec).
    public let factory: ComponentFactory
    /// What it is, for the ABI's fields (a likelihood's data kind, a renderer's extensions);
    /// nil: the kit makes one instance without settings to read them.
    public let facts: ComponentFacts?

    /// A component from its name, description, factory and, for a likelihood or renderer,
    /// its facts (`.likelihood(.counts)`, `.renderer(["json"])`), so that nothing is made
    /// to be asked what it is.
    public init(_ name: String, _ description: String, _ factory: ComponentFactory, facts: ComponentFacts? = nil) {
        self.name = name
        self.description = description
        self.factory = factory
        self.facts = facts
    }
}
