import CVAExprsPluginABI
import Foundation

/// A `Layer` behind `vaexprs_layer_vtable`.
///
/// The host owns the parameter values (its optimizer updates them), so each `forward` copies
/// them into the layer's `Parameter`s and each `backward` copies the gradients out. `build`
/// runs twice: once to declare the output width and the parameters' shapes (with a generator
/// seeded 0), and again in `initialize`, with a generator seeded from the host's, whose values
/// the host keeps. Parameters of more than two dimensions travel as rows × (the rest). Layers
/// with buffers (non-trainable state such as running statistics) are refused: ABI 2 has no
/// place to save them in the model file.
public enum LayerExport {
    /// One layer made by `create`, with the names the host reads back.
    final class Instance {
        let layer: any Layer
        var inputWidth = 0
        var outputWidth = 0
        var names: [UnsafeMutablePointer<CChar>] = []

        init(_ layer: any Layer) { self.layer = layer }
        deinit { names.forEach { free($0) } }
    }

    static func vtable(slot: Int) -> UnsafeRawPointer {
        let table = UnsafeMutablePointer<vaexprs_layer_vtable>.allocate(capacity: 1)
        table.initialize(
            to: vaexprs_layer_vtable(
                struct_size: UInt32(MemoryLayout<vaexprs_layer_vtable>.size),
                create: Slots.create[slot],
                destroy: PluginExport.destroy,
                build: { raw, inputWidth, outputWidth, buffer, size in
                    let instance = PluginExport.instance(raw, as: Instance.self)
                    do {
                        var rng = SeededGenerator(seed: 0)
                        let width = try instance.layer.build(
                            inputWidth: Int(inputWidth), path: instance.layer.spec.name, rng: &rng)
                        guard instance.layer.buffers.isEmpty else {
                            PluginHost.report(
                                """
                                \(instance.layer.spec.name) keeps non-trainable buffers, which plugin layers \
                                cannot save (ABI 2)
                                """,
                                into: buffer, size: size)
                            return 1
                        }
                        instance.inputWidth = Int(inputWidth)
                        instance.outputWidth = width
                        instance.names.forEach { free($0) }
                        instance.names = instance.layer.parameters.map {
                            strdup(String($0.path.split(separator: ".").last ?? "p"))!
                        }
                        outputWidth?.pointee = Int64(width)
                        return 0
                    } catch {
                        PluginHost.report(error, into: buffer, size: size)
                        return 1
                    }
                },
                parameter_count: { raw in Int32(PluginExport.instance(raw, as: Instance.self).layer.parameters.count) },
                parameter_shape: { raw, index, name, rows, columns in
                    let instance = PluginExport.instance(raw, as: Instance.self)
                    let parameter = instance.layer.parameters[Int(index)]
                    name?.pointee = UnsafePointer(instance.names[Int(index)])
                    let shape = parameter.shape.isEmpty ? [1] : parameter.shape
                    rows?.pointee = Int64(shape.count == 1 ? 1 : shape[0])
                    columns?.pointee = Int64(shape.count == 1 ? shape[0] : shape.dropFirst().reduce(1, *))
                },
                initialize: { raw, parameters, rng in
                    let instance = PluginExport.instance(raw, as: Instance.self)
                    var generator = PluginHost.generator(rng)
                    _ = try? instance.layer.build(
                        inputWidth: instance.inputWidth, path: instance.layer.spec.name, rng: &generator)
                    for (index, parameter) in instance.layer.parameters.enumerated() {
                        BufferCopies.write(parameter.value, to: parameters?[index], limit: parameter.value.count)
                    }
                },
                forward: { raw, parameters, input, batch, output, training, rng in
                    let instance = PluginExport.instance(raw, as: Instance.self)
                    for (index, parameter) in instance.layer.parameters.enumerated() {
                        // In place: no allocation per call for what may be megabytes of weights.
                        guard let source = parameters?[index], !parameter.value.isEmpty else { continue }
                        parameter.value.withUnsafeMutableBufferPointer {
                            $0.baseAddress!.update(from: source, count: $0.count)
                        }
                    }
                    let rows = Int(batch)
                    let x = Matrix(
                        rows: rows, columns: instance.inputWidth,
                        storage: BufferCopies.array(input, count: rows * instance.inputWidth))
                    var generator = PluginHost.generator(rng)
                    let y = instance.layer.forward(x, phase: training != 0 ? .training : .inference, rng: &generator)
                    BufferCopies.write(y.storage, to: output, limit: rows * instance.outputWidth)
                },
                backward: { raw, _, outputGradient, batch, inputGradient, gradients in
                    let instance = PluginExport.instance(raw, as: Instance.self)
                    let rows = Int(batch)
                    instance.layer.computesInputGradient = inputGradient != nil
                    let dy = Matrix(
                        rows: rows, columns: instance.outputWidth,
                        storage: BufferCopies.array(outputGradient, count: rows * instance.outputWidth))
                    let dx = instance.layer.backward(dy)
                    BufferCopies.write(dx.storage, to: inputGradient, limit: rows * instance.inputWidth)
                    for (index, parameter) in instance.layer.parameters.enumerated() {
                        BufferCopies.write(parameter.gradient, to: gradients?[index], limit: parameter.gradient.count)
                    }
                }))
        return UnsafeRawPointer(table)
    }
}
