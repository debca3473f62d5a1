// An example run-time renderer plugin in Swift, on VAExprsPluginKit: writes the figure as a
// Vega-Lite v5 JSON specification (open it in the Vega editor or embed it with vega-embed).
// Each panel becomes a layered chart: points (colour, shape, filled or hollow, tooltip) and lines.
import Foundation
import VAExprsPluginKit

/// Figures as Vega-Lite specifications.
struct VegaLiteRenderer: Renderer {
    let spec: ComponentSpec
    var fileExtensions: [String] { ["vl.json"] }

    func render(_ figure: Figure) throws -> [UInt8] {
        let panels = figure.panels.map { panel -> [String: Any] in
            var chart: [String: Any] = ["layer": layers(panel), "width": 400, "height": 300]
            if let title = panel.title { chart["title"] = title }
            return chart
        }
        var document: [String: Any] = ["$schema": "https://vega.github.io/schema/vega-lite/v5.json", "hconcat": panels]
        if let title = figure.title { document["title"] = title }
        return Array(try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys]))
    }

    /// The Vega-Lite layers of one panel (point and line marks; others are left out).
    private func layers(_ panel: Panel) -> [[String: Any]] {
        let base: [String: Any] = [
            "x": [
                "field": "x", "type": "quantitative", "title": panel.x.title,
                "scale": ["domain": [panel.x.lower, panel.x.upper]]
            ],
            "y": [
                "field": "y", "type": "quantitative", "title": panel.y.title,
                "scale": ["domain": [panel.y.lower, panel.y.upper]]
            ]
        ]
        return panel.marks.compactMap { mark -> [String: Any]? in
            switch mark {
            case .points(let points):
                let values: [[String: Any]] = points.x.indices.map { i in
                    let style = points.styles[points.style[i]]
                    var row: [String: Any] = [
                        "x": points.x[i], "y": points.y[i], "colour": style.colour.hex, "shape": style.shape.rawValue,
                        "filled": style.filled, "group": style.groups.joined(separator: ", ")
                    ]
                    if let tips = points.tooltips { row["tooltip"] = tips[i] }
                    return row
                }
                var encoding = base
                encoding["color"] = ["field": "colour", "type": "nominal", "scale": NSNull(), "legend": NSNull()]
                encoding["shape"] = ["field": "shape", "type": "nominal", "scale": NSNull(), "legend": NSNull()]
                encoding["tooltip"] = [["field": points.tooltips == nil ? "group" : "tooltip", "type": "nominal"]]
                return [
                    "data": ["values": values], "mark": ["type": "point", "filled": ["expr": "datum.filled"]],
                    "encoding": encoding
                ]
            case .line(let line):
                let values: [[String: Any]] = line.x.indices.compactMap { i in
                    line.x[i].isFinite && line.y[i].isFinite ? ["x": line.x[i], "y": line.y[i], "order": i] : nil
                }
                var encoding = base
                encoding["order"] = ["field": "order", "type": "quantitative"]
                return [
                    "data": ["values": values],
                    "mark": ["type": "line", "color": line.colour.hex, "strokeWidth": line.width], "encoding": encoding
                ]
            case .rects, .text:
                return nil
            }
        }
    }
}

/// The entry symbol the host looks up.
@_cdecl("vaexprs_plugin_entry")
public func vaexprsPluginEntry() -> UnsafeRawPointer {
    PluginExport.descriptor(
        name: "vega-lite", version: "1.1.0", description: "Figures as Vega-Lite JSON",
        components: [
            ExportedComponent(
                "vegalite", "Vega-Lite v5 JSON specification", .renderer { VegaLiteRenderer(spec: $0) },
                facts: .renderer(["vl.json"]))
        ])
}
