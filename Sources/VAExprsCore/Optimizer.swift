/// A gradient-based optimizer; keeps its state keyed by parameter path.
public protocol Optimizer: AnyObject {
    /// The spec that re-creates it.
    var spec: ComponentSpec { get }
    /// Updates each parameter's value from its gradient (one step).
    func step(_ parameters: [Parameter])
}
