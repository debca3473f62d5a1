import CVAExprsPluginABI

/// A `Reducer` behind `vaexprs_reducer_vtable`. Only the coordinates cross the ABI; the
/// embedding's axis titles and metadata stay in the plugin.
public enum ReducerExport {
    static func vtable(slot: Int) -> UnsafeRawPointer {
        let table = UnsafeMutablePointer<vaexprs_reducer_vtable>.allocate(capacity: 1)
        table.initialize(
            to: vaexprs_reducer_vtable(
                struct_size: UInt32(MemoryLayout<vaexprs_reducer_vtable>.size),
                create: Slots.create[slot],
                destroy: PluginExport.destroy,
                reduce: { raw, x, n, d, k, out, rng, buffer, size in
                    let reducer = PluginExport.instance(raw, as: PluginExport.Boxed<any Reducer>.self).value
                    let data = DoubleMatrix(
                        rows: Int(n), columns: Int(d), storage: BufferCopies.array(x, count: Int(n * d)))
                    var generator = PluginHost.generator(rng)
                    do {
                        let embedding = try reducer.reduce(data, components: Int(k), rng: &generator)
                        let coordinates = embedding.coordinates
                        guard coordinates.rows == Int(n), coordinates.columns == Int(k) else {
                            PluginHost.report(
                                """
                                \(reducer.spec.name) returned \(coordinates.rows) × \(coordinates.columns) \
                                coordinates for \(n) cells and \(k) components
                                """,
                                into: buffer, size: size)
                            return 1
                        }
                        BufferCopies.write(coordinates.storage, to: out, limit: Int(n) * Int(k))
                        return 0
                    } catch {
                        PluginHost.report(error, into: buffer, size: size)
                        return 1
                    }
                }))
        return UnsafeRawPointer(table)
    }
}
