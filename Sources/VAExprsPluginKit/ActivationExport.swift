import CVAExprsPluginABI

/// An `Activation` behind `vaexprs_activation_vtable`. The ABI's activation functions take
/// no settings and no instance, so the kit makes the activation once, from its name alone,
/// when the plugin is exported, and calls it through the component's slot.
public enum ActivationExport {
    /// The activations, by slot.
    nonisolated(unsafe) private static var activations: [Int: any Activation] = [:]

    static func add(slot: Int, _ activation: any Activation) {
        activations[slot] = activation
    }

    static func vtable(slot: Int) -> UnsafeRawPointer {
        let table = UnsafeMutablePointer<vaexprs_activation_vtable>.allocate(capacity: 1)
        table.initialize(
            to: vaexprs_activation_vtable(
                struct_size: UInt32(MemoryLayout<vaexprs_activation_vtable>.size),
                forward: Slots.forward[slot], backward: Slots.backward[slot]))
        return UnsafeRawPointer(table)
    }

    /// y = f(x) for the activation in `slot`.
    static func forward(slot: Int, _ x: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>?, _ n: Int64) {
        guard let activation = activations[slot], let x, let y, n > 0 else { return }
        var values = BufferCopies.array(x, count: Int(n))
        activation.apply(&values)
        BufferCopies.write(values, to: y, limit: Int(n))
    }

    /// dx = dy · f'(x) for the activation in `slot`.
    static func backward(
        slot: Int, _ x: UnsafePointer<Float>?, _ y: UnsafePointer<Float>?, _ dy: UnsafePointer<Float>?,
        _ dx: UnsafeMutablePointer<Float>?, _ n: Int64
    ) {
        guard let activation = activations[slot], let x, let y, let dy, let dx, n > 0 else { return }
        let count = Int(n)
        var gradient = BufferCopies.array(dy, count: count)
        activation.backward(
            input: BufferCopies.array(x, count: count), output: BufferCopies.array(y, count: count), gradient: &gradient
        )
        BufferCopies.write(gradient, to: dx, limit: count)
    }
}
