import CVAExprsPluginABI
import Foundation

/// A `Renderer` behind `vaexprs_renderer_vtable`: the figure arrives as JSON (the core's
/// `Figure` is `Codable`), the file's bytes leave in memory the host allocated. The file
/// extensions are the component's declared facts, else read from an instance made without
/// settings when the plugin is exported;
/// `render` makes the renderer from the call's settings each time.
public enum RendererExport {
    static func vtable(slot: Int, component: ExportedComponent) -> UnsafeRawPointer {
        var extensions = ""
        if let declared = component.facts, !declared.fileExtensions.isEmpty {
            extensions = declared.fileExtensions.joined(separator: ",")
        } else if case .renderer(let make) = component.factory,
            let renderer = PluginExport.probe(
                component, "renderer",
                because: "the kit reads its file extensions from such an instance (or give facts: .renderer([…]))", make
            )
        {
            extensions = renderer.fileExtensions.joined(separator: ",")
        }
        let table = UnsafeMutablePointer<vaexprs_renderer_vtable>.allocate(capacity: 1)
        table.initialize(
            to: vaexprs_renderer_vtable(
                struct_size: UInt32(MemoryLayout<vaexprs_renderer_vtable>.size),
                file_extensions: UnsafePointer(strdup(extensions)), render: Slots.render[slot]))
        return UnsafeRawPointer(table)
    }

    /// `render` of the renderer in `slot`.
    static func render(
        slot: Int, _ options: UnsafePointer<CChar>?, _ figureJSON: UnsafePointer<CChar>?,
        _ bytes: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?, _ length: UnsafeMutablePointer<Int>?,
        _ buffer: UnsafeMutablePointer<CChar>?, _ size: Int
    ) -> Int32 {
        guard slot < PluginExport.components.count, case .renderer(let make) = PluginExport.components[slot].factory
        else {
            PluginHost.report("no renderer in slot \(slot)", into: buffer, size: size)
            return 1
        }
        let name = PluginExport.components[slot].name
        do {
            let renderer = try make(try PluginHost.spec(name: name, optionsJSON: options))
            let figure = try JSONDecoder().decode(
                Figure.self, from: Data((figureJSON.map { String(cString: $0) } ?? "").utf8))
            let file = try renderer.render(figure)
            let memory = PluginHost.services.map { $0.pointee.alloc(max(file.count, 1)) } ?? malloc(max(file.count, 1))
            guard let memory else {
                PluginHost.report(
                    "\(name): cannot allocate \(file.count) bytes for the rendered file", into: buffer, size: size)
                return 1
            }
            let typed = memory.bindMemory(to: UInt8.self, capacity: max(file.count, 1))
            BufferCopies.write(file, to: typed, limit: file.count)
            bytes?.pointee = typed
            length?.pointee = file.count
            return 0
        } catch {
            PluginHost.report(error, into: buffer, size: size)
            return 1
        }
    }
}
