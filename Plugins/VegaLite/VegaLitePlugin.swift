// An example run-time renderer plugin in Swift: writes the figure as a Vega-Lite v5 JSON
// specification (open it in the Vega editor or embed it with vega-embed). Each panel becomes
// a layered chart: points (colour, shape, filled or hollow, tooltip) and lines.
import CVAExprsPluginABI
import Foundation

nonisolated(unsafe) private var host: UnsafePointer<vaexprs_host>!

private func fail(_ message: String, _ error: UnsafeMutablePointer<CChar>?, _ size: Int) {
    guard let error, size > 0 else { return }
    let bytes = Array(message.utf8.prefix(size - 1))
    for (i, b) in bytes.enumerated() { error[i] = CChar(bitPattern: b) }
    error[bytes.count] = 0
}

private func hex(_ colour: Any?) -> String {
    guard let c = colour as? [String: Any], let r = c["red"] as? Int, let g = c["green"] as? Int, let b = c["blue"] as? Int else { return "#000000" }
    return String(format: "#%02x%02x%02x", r, g, b)
}

/// The Vega-Lite layers of one panel.
private func layers(_ panel: [String: Any]) -> [[String: Any]] {
    let x = panel["x"] as? [String: Any] ?? [:], y = panel["y"] as? [String: Any] ?? [:]
    let encodingBase: [String: Any] = [
        "x": ["field": "x", "type": "quantitative", "title": x["title"] ?? "x", "scale": ["domain": [x["lower"] ?? 0, x["upper"] ?? 1]]],
        "y": ["field": "y", "type": "quantitative", "title": y["title"] ?? "y", "scale": ["domain": [y["lower"] ?? 0, y["upper"] ?? 1]]],
    ]
    var out: [[String: Any]] = []
    for mark in panel["marks"] as? [[String: Any]] ?? [] {
        if mark["type"] as? String == "points" {
            let points = mark
            let xs = points["x"] as? [Double] ?? [], ys = points["y"] as? [Double] ?? []
            let style = points["style"] as? [Int] ?? [], styles = points["styles"] as? [[String: Any]] ?? []
            let tips = points["tooltips"] as? [String]
            let values: [[String: Any]] = xs.indices.map { i in
                let s = styles.indices.contains(style[i]) ? styles[style[i]] : [:]
                var row: [String: Any] = ["x": xs[i], "y": ys[i], "colour": hex(s["colour"]), "shape": s["shape"] as? String ?? "circle",
                                          "filled": s["filled"] as? Bool ?? true, "group": (s["groups"] as? [String] ?? []).joined(separator: ", ")]
                if let tips { row["tooltip"] = tips[i] }
                return row
            }
            var encoding = encodingBase
            encoding["color"] = ["field": "colour", "type": "nominal", "scale": NSNull(), "legend": NSNull()]
            encoding["shape"] = ["field": "shape", "type": "nominal", "scale": NSNull(), "legend": NSNull()]
            encoding["tooltip"] = [["field": tips == nil ? "group" : "tooltip", "type": "nominal"]]
            out.append(["data": ["values": values], "mark": ["type": "point", "filled": ["expr": "datum.filled"]], "encoding": encoding])
        } else if mark["type"] as? String == "line" {
            let line = mark
            let xs = line["x"] as? [Double] ?? [], ys = line["y"] as? [Double] ?? []
            let values: [[String: Any]] = xs.indices.compactMap { i in xs[i].isFinite && ys[i].isFinite ? ["x": xs[i], "y": ys[i], "order": i] : nil }
            var encoding = encodingBase
            encoding["order"] = ["field": "order", "type": "quantitative"]
            out.append(["data": ["values": values], "mark": ["type": "line", "color": hex(line["colour"]), "strokeWidth": line["width"] ?? 1.5], "encoding": encoding])
        }
    }
    return out
}

nonisolated(unsafe) private let table = vaexprs_renderer_vtable(
    struct_size: UInt32(MemoryLayout<vaexprs_renderer_vtable>.size),
    file_extensions: UnsafePointer(strdup("vl.json")!),
    render: { _, figureJSON, bytes, length, error, size in
        guard let figureJSON, let figure = (try? JSONSerialization.jsonObject(with: Data(String(cString: figureJSON).utf8))) as? [String: Any] else {
            fail("the figure description is not JSON", error, size)
            return 1
        }
        let panels = (figure["panels"] as? [[String: Any]] ?? []).map { panel -> [String: Any] in
            var chart: [String: Any] = ["layer": layers(panel), "width": 400, "height": 300]
            if let title = panel["title"] as? String { chart["title"] = title }
            return chart
        }
        var spec: [String: Any] = ["$schema": "https://vega.github.io/schema/vega-lite/v5.json", "hconcat": panels]
        if let title = figure["title"] as? String { spec["title"] = title }
        guard let data = try? JSONSerialization.data(withJSONObject: spec, options: [.prettyPrinted, .sortedKeys]) else {
            fail("could not encode the Vega-Lite specification", error, size)
            return 1
        }
        let buffer = host.pointee.alloc(data.count)!.assumingMemoryBound(to: UInt8.self)
        data.copyBytes(to: buffer, count: data.count)
        bytes!.pointee = buffer
        length!.pointee = data.count
        return 0
    })

nonisolated(unsafe) private let descriptor: UnsafeMutablePointer<vaexprs_plugin> = {
    let tables = UnsafeMutablePointer<vaexprs_renderer_vtable>.allocate(capacity: 1)
    tables.initialize(to: table)
    let components = UnsafeMutablePointer<vaexprs_component>.allocate(capacity: 1)
    components.initialize(to: vaexprs_component(kind: UInt32(VAEXPRS_KIND_RENDERER), name: UnsafePointer(strdup("vegalite")!),
                                                 description: UnsafePointer(strdup("Vega-Lite v5 JSON specification")!), vtable: UnsafeRawPointer(tables)))
    let d = UnsafeMutablePointer<vaexprs_plugin>.allocate(capacity: 1)
    d.initialize(to: vaexprs_plugin(
        magic: VAEXPRS_PLUGIN_MAGIC, abi_version: VAEXPRS_PLUGIN_ABI_VERSION, struct_size: UInt32(MemoryLayout<vaexprs_plugin>.size),
        name: UnsafePointer(strdup("vega-lite")!), version: UnsafePointer(strdup("1.0.0")!),
        description: UnsafePointer(strdup("Figures as Vega-Lite JSON")!),
        init: { services, _, _ in host = services; return 0 },
        component_size: UInt32(MemoryLayout<vaexprs_component>.size), component_count: 1, components: components))
    return d
}()

/// The entry symbol the host looks up.
@_cdecl("vaexprs_plugin_entry")
public func vaexprsPluginEntry() -> UnsafePointer<vaexprs_plugin> { UnsafePointer(descriptor) }
