/// One component a Swift plugin exports: the name it registers under, a line for
/// `plugins list`, and the same factory a built-in registers with (`ComponentFactory`).
public struct ExportedComponent: Sendable {
    /// The name users write (`gated_dense` in `--encoder gated_dense:64`).
    public let name: String
    /// A one-line description.
    public let description: String
    /// Makes the component from the user's settings (its spec).
    public let factory: ComponentFactory

    /// A component from its name, description and factory.
    public init(_ name: String, _ description: String, _ factory: ComponentFactory) {
        self.name = name
        self.description = description
        self.factory = factory
    }
}
