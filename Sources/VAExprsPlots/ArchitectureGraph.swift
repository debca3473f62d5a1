import VAExprsCore
import VAExprsModels

/// `plot_vae`'s graph: one record node per layer (name, type, input and output shape, as
/// Keras' `(None, width)`), edges as the data flows, coloured by part with the original's
/// defaults, written as Graphviz DOT.
package enum ArchitectureGraph {
    /// The original package's node colours (`plot_vae`'s `node_color`), by part.
    package static let defaultColours: [String: String] = [
        "encoder": "tomato", "mean": "orange", "stddev": "lavender", "latent": "lightblue",
        "decoder": "palegreen", "condition": "gray"
    ]

    /// The colour key a part uses (inputs count as encoder, the output as decoder).
    static func colourKey(_ part: LayerSummary.Part) -> String {
        switch part {
        case .input, .encoder: "encoder"
        case .mean: "mean"
        case .stddev: "stddev"
        case .latent: "latent"
        case .decoder, .output: "decoder"
        case .condition: "condition"
        }
    }

    /// Parses `part=colour` overrides (Graphviz colour names or `#rrggbb`).
    package static func colours(overrides: [String]) throws -> [String: String] {
        var colours = defaultColours
        for item in overrides {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, colours[parts[0]] != nil else {
                throw VAExprsError.usage(
                    """
                    \(parameter: "colours") '\(item)' must be part=colour with part one of \
                    \(defaultColours.keys.sorted().joined(separator: ", "))
                    """
                )
            }
            let value = parts[1]
            let isHex = Colour(hex: value) != nil && value.hasPrefix("#")
            guard isHex || (!value.isEmpty && value.allSatisfy { $0.isLetter || $0.isNumber }) else {
                throw VAExprsError.usage(
                    "\(parameter: "colours") '\(item)': '\(value)' is neither #rrggbb nor a Graphviz colour name")
            }
            colours[parts[0]] = value
        }
        return colours
    }

    /// DOT source for the layers.
    /// `dpi` sets the resolution of bitmap output (Graphviz's default is 96).
    package static func dot(
        _ layers: [LayerSummary], title: String, colours: [String: String] = defaultColours, dpi: Int? = nil
    ) -> String {
        var out = "digraph vae {\n"
        out +=
            """
              graph [rankdir=TB, fontname=\"Helvetica\", labelloc=t, label=\"\(escapeString(title))\", \
            nodesep=0.3, ranksep=0.35\(dpi.map { ", dpi=\($0)" } ?? "")];\n
            """
        out +=
            "  node [shape=record, style=\"filled,rounded\", fontname=\"Helvetica\", fontsize=10, color=\"#555555\"];\n"
        out += "  edge [color=\"#555555\", arrowsize=0.7];\n"
        for layer in layers {
            let shapeIn = layer.inputWidth > 0 ? "(None, \(layer.inputWidth))" : "—"
            let label =
                """
                {\(escapeRecord(layer.name)) | \(escapeRecord(layer.type)) | {input: \(escapeRecord(shapeIn)) | \
                output: \(escapeRecord("(None, \(layer.outputWidth))"))}}
                """
            let colour = colours[colourKey(layer.part)] ?? "white"
            out +=
                """
                  \"\(escapeString(layer.name))\" [label=\"\(escapeString(label))\", \
                fillcolor=\"\(escapeString(colour))\"];\n
                """
        }
        for layer in layers {
            for input in layer.inputs { out += "  \"\(escapeString(input))\" -> \"\(escapeString(layer.name))\";\n" }
        }
        out += "}\n"
        return out
    }

    /// Record-label text with DOT's record specials escaped, scalar by scalar (a special
    /// followed by a combining mark is one Character, which a Character-level check would miss).
    static func escapeRecord(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for c in s.unicodeScalars {
            if "{}|<>\\".unicodeScalars.contains(c) { out.append("\\") }
            out.append(c)
        }
        return String(out)
    }

    /// Quoted-string text with `\\` and `"` escaped, scalar by scalar.
    static func escapeString(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for c in s.unicodeScalars {
            if c == "\\" || c == "\"" { out.append("\\") }
            out.append(c)
        }
        return String(out)
    }
}
