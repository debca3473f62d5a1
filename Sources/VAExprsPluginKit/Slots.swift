import CVAExprsPluginABI

// The ABI's vtable functions carry no context pointer where a Swift closure would need one
// (`create` and `render` receive no component, activations receive nothing but arrays), so
// each exported component gets a slot: a C function per slot that forwards to the component
// at that index. A plugin exports at most `count` components.
enum Slots {
    /// Components one plugin may export.
    static let count = 16

    typealias Create =
        @convention(c) (UnsafePointer<CChar>?, UnsafeMutablePointer<CChar>?, Int) -> UnsafeMutableRawPointer?
    typealias Forward = @convention(c) (UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int64) -> Void
    typealias Backward =
        @convention(c) (
            UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int64
        ) -> Void
    typealias Render =
        @convention(c) (
            UnsafePointer<CChar>?, UnsafePointer<CChar>?, UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?,
            UnsafeMutablePointer<Int>?, UnsafeMutablePointer<CChar>?, Int
        ) -> Int32

    /// `create` of slot i makes component i.
    static let create: [Create] = [
        { PluginExport.create(slot: 0, $0, $1, $2) }, { PluginExport.create(slot: 1, $0, $1, $2) },
        { PluginExport.create(slot: 2, $0, $1, $2) }, { PluginExport.create(slot: 3, $0, $1, $2) },
        { PluginExport.create(slot: 4, $0, $1, $2) }, { PluginExport.create(slot: 5, $0, $1, $2) },
        { PluginExport.create(slot: 6, $0, $1, $2) }, { PluginExport.create(slot: 7, $0, $1, $2) },
        { PluginExport.create(slot: 8, $0, $1, $2) }, { PluginExport.create(slot: 9, $0, $1, $2) },
        { PluginExport.create(slot: 10, $0, $1, $2) }, { PluginExport.create(slot: 11, $0, $1, $2) },
        { PluginExport.create(slot: 12, $0, $1, $2) }, { PluginExport.create(slot: 13, $0, $1, $2) },
        { PluginExport.create(slot: 14, $0, $1, $2) }, { PluginExport.create(slot: 15, $0, $1, $2) }
    ]

    /// An activation's forward pass, per slot.
    static let forward: [Forward] = [
        { ActivationExport.forward(slot: 0, $0, $1, $2) }, { ActivationExport.forward(slot: 1, $0, $1, $2) },
        { ActivationExport.forward(slot: 2, $0, $1, $2) }, { ActivationExport.forward(slot: 3, $0, $1, $2) },
        { ActivationExport.forward(slot: 4, $0, $1, $2) }, { ActivationExport.forward(slot: 5, $0, $1, $2) },
        { ActivationExport.forward(slot: 6, $0, $1, $2) }, { ActivationExport.forward(slot: 7, $0, $1, $2) },
        { ActivationExport.forward(slot: 8, $0, $1, $2) }, { ActivationExport.forward(slot: 9, $0, $1, $2) },
        { ActivationExport.forward(slot: 10, $0, $1, $2) }, { ActivationExport.forward(slot: 11, $0, $1, $2) },
        { ActivationExport.forward(slot: 12, $0, $1, $2) }, { ActivationExport.forward(slot: 13, $0, $1, $2) },
        { ActivationExport.forward(slot: 14, $0, $1, $2) }, { ActivationExport.forward(slot: 15, $0, $1, $2) }
    ]

    /// An activation's backward pass, per slot.
    static let backward: [Backward] = [
        { ActivationExport.backward(slot: 0, $0, $1, $2, $3, $4) },
        { ActivationExport.backward(slot: 1, $0, $1, $2, $3, $4) },
        { ActivationExport.backward(slot: 2, $0, $1, $2, $3, $4) },
        { ActivationExport.backward(slot: 3, $0, $1, $2, $3, $4) },
        { ActivationExport.backward(slot: 4, $0, $1, $2, $3, $4) },
        { ActivationExport.backward(slot: 5, $0, $1, $2, $3, $4) },
        { ActivationExport.backward(slot: 6, $0, $1, $2, $3, $4) },
        { ActivationExport.backward(slot: 7, $0, $1, $2, $3, $4) },
        { ActivationExport.backward(slot: 8, $0, $1, $2, $3, $4) },
        { ActivationExport.backward(slot: 9, $0, $1, $2, $3, $4) },
        { ActivationExport.backward(slot: 10, $0, $1, $2, $3, $4) },
        { ActivationExport.backward(slot: 11, $0, $1, $2, $3, $4) },
        { ActivationExport.backward(slot: 12, $0, $1, $2, $3, $4) },
        { ActivationExport.backward(slot: 13, $0, $1, $2, $3, $4) },
        { ActivationExport.backward(slot: 14, $0, $1, $2, $3, $4) },
        { ActivationExport.backward(slot: 15, $0, $1, $2, $3, $4) }
    ]

    /// A renderer's `render`, per slot.
    static let render: [Render] = [
        { RendererExport.render(slot: 0, $0, $1, $2, $3, $4, $5) },
        { RendererExport.render(slot: 1, $0, $1, $2, $3, $4, $5) },
        { RendererExport.render(slot: 2, $0, $1, $2, $3, $4, $5) },
        { RendererExport.render(slot: 3, $0, $1, $2, $3, $4, $5) },
        { RendererExport.render(slot: 4, $0, $1, $2, $3, $4, $5) },
        { RendererExport.render(slot: 5, $0, $1, $2, $3, $4, $5) },
        { RendererExport.render(slot: 6, $0, $1, $2, $3, $4, $5) },
        { RendererExport.render(slot: 7, $0, $1, $2, $3, $4, $5) },
        { RendererExport.render(slot: 8, $0, $1, $2, $3, $4, $5) },
        { RendererExport.render(slot: 9, $0, $1, $2, $3, $4, $5) },
        { RendererExport.render(slot: 10, $0, $1, $2, $3, $4, $5) },
        { RendererExport.render(slot: 11, $0, $1, $2, $3, $4, $5) },
        { RendererExport.render(slot: 12, $0, $1, $2, $3, $4, $5) },
        { RendererExport.render(slot: 13, $0, $1, $2, $3, $4, $5) },
        { RendererExport.render(slot: 14, $0, $1, $2, $3, $4, $5) },
        { RendererExport.render(slot: 15, $0, $1, $2, $3, $4, $5) }
    ]
}
