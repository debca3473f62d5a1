import VAExprsCore

/// Writes a `Scene` as standalone SVG 1.1. Markers are `<use>` references to one path per
/// style, so 100 000 points stay small and fast. In interactive mode (for the HTML page)
/// markers also carry their style class and point index, and legend entries their group.
enum SVGDocument {
    static func write(_ scene: Scene, interactive: Bool = false) -> [UInt8] {
        var w = ByteWriter(capacity: 1 << 20)
        w.append(
            """
            <svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" \
            version=\"1.1\" width=\"
            """
        )
        w.append(number: scene.width)
        w.append("\" height=\"")
        w.append(number: scene.height)
        w.append("\" viewBox=\"0 0 ")
        w.append(number: scene.width)
        w.append(" ")
        w.append(number: scene.height)
        w.append("\" font-family=\"Helvetica, Arial, sans-serif\">\n")
        var state = WriterState()
        for item in scene.items { emit(item, into: &w, state: &state, interactive: interactive, group: nil) }
        w.append("</svg>\n")
        return w.bytes
    }

    /// Ids handed out while writing (clip paths, marker symbols).
    struct WriterState {
        var clips = 0
        var symbols = 0
        var markerRuns = 0
    }

    private static func emit(
        _ item: SceneItem, into w: inout ByteWriter, state: inout WriterState, interactive: Bool, group: String?
    ) {
        switch item {
        case let .rect(r, fill, stroke, strokeWidth, opacity):
            w.append("<rect")
            appendGeometry(r, into: &w)
            w.append(" fill=\"")
            w.append(fill?.hex ?? "none")
            if let stroke {
                w.append("\" stroke=\"")
                w.append(stroke.hex)
                w.append("\" stroke-width=\"")
                w.append(number: strokeWidth)
            }
            if opacity < 1 {
                w.append("\" fill-opacity=\"")
                w.append(number: opacity)
            }
            w.append("\"/>\n")
        case let .polyline(xs, ys, colour, width, dash, clip):
            let clipID = clip.map { beginClip($0, into: &w, state: &state) }
            w.append("<path d=\"")
            var pen = false
            for i in xs.indices {
                guard xs[i].isFinite && ys[i].isFinite else {
                    pen = false
                    continue
                }
                w.append(pen ? "L" : "M")
                w.append(number: xs[i])
                w.append(",")
                w.append(number: ys[i])
                pen = true
            }
            w.append("\" fill=\"none\" stroke=\"")
            w.append(colour.hex)
            w.append("\" stroke-width=\"")
            w.append(number: width)
            if !dash.isEmpty {
                w.append("\" stroke-dasharray=\"")
                for (k, d) in dash.enumerated() {
                    if k > 0 { w.append(",") }
                    w.append(number: d)
                }
            }
            w.append("\" stroke-linejoin=\"round\"/>\n")
            if clipID != nil { w.append("</g>\n") }
        case let .text(text, x, y, size, anchor, colour, rotated, bold):
            w.append("<text x=\"")
            w.append(number: x)
            w.append("\" y=\"")
            w.append(number: y)
            w.append("\" font-size=\"")
            w.append(number: size)
            w.append("\" fill=\"")
            w.append(colour.hex)
            if anchor != .start {
                w.append("\" text-anchor=\"")
                w.append(anchor.rawValue)
            }
            if bold { w.append("\" font-weight=\"bold") }
            if rotated {
                w.append("\" transform=\"rotate(-90 ")
                w.append(number: x)
                w.append(" ")
                w.append(number: y)
                w.append(")")
            }
            w.append("\">")
            w.appendEscaped(text)
            w.append("</text>\n")
        case .markers(let run):
            // Legend swatches are not data: no tooltip index or style class.
            emitMarkers(run, into: &w, state: &state, interactive: interactive && group == nil)
        case let .legendEntry(group, items):
            emitGroup(
                items, group: group, className: "legend-entry", extra: " style=\"cursor:pointer\"", into: &w,
                state: &state,
                interactive: interactive, markLegend: true)
        case let .series(group, items):
            emitGroup(
                items, group: group, className: "series", extra: "", into: &w, state: &state, interactive: interactive,
                markLegend: false)
        }
    }

    /// A `<g>` of items belonging to a legend group; interactive pages tag it with the group.
    /// Items inside a legend entry (`markLegend`) are swatches, not data.
    private static func emitGroup(
        _ items: [SceneItem], group: String, className: String, extra: String, into w: inout ByteWriter,
        state: inout WriterState, interactive: Bool, markLegend: Bool
    ) {
        w.append("<g")
        if interactive {
            w.append(" class=\"\(className)\" data-group=\"")
            w.appendEscaped(group)
            w.append("\"" + extra)
        }
        w.append(">\n")
        for sub in items {
            emit(sub, into: &w, state: &state, interactive: interactive, group: markLegend ? group : nil)
        }
        w.append("</g>\n")
    }

    /// ` x="…" y="…" width="…" height="…"`: a rectangle's attributes.
    private static func appendGeometry(_ r: SceneRect, into w: inout ByteWriter) {
        w.append(" x=\"")
        w.append(number: r.x)
        w.append("\" y=\"")
        w.append(number: r.y)
        w.append("\" width=\"")
        w.append(number: r.width)
        w.append("\" height=\"")
        w.append(number: r.height)
        w.append("\"")
    }

    private static func beginClip(_ r: SceneRect, into w: inout ByteWriter, state: inout WriterState) -> Int {
        let id = state.clips
        state.clips += 1
        w.append("<clipPath id=\"c")
        w.appendInteger(Int64(id))
        w.append("\"><rect")
        appendGeometry(r, into: &w)
        w.append("/></clipPath>\n<g clip-path=\"url(#c")
        w.appendInteger(Int64(id))
        w.append(")\">\n")
        return id
    }

    private static func emitMarkers(
        _ run: MarkerRun, into w: inout ByteWriter, state: inout WriterState, interactive: Bool
    ) {
        let base = state.symbols
        state.symbols += run.styles.count
        let runIndex = state.markerRuns
        state.markerRuns += 1
        w.append("<defs>\n")
        for (k, style) in run.styles.enumerated() {
            w.append("<path id=\"m")
            w.appendInteger(Int64(base + k))
            w.append("\" d=\"")
            appendMarkerPath(style.shape, size: style.size, into: &w)
            if style.filled {
                w.append("\" fill=\"")
                w.append(style.colour.hex)
                w.append("\" stroke=\"none")
            } else {
                w.append("\" fill=\"none\" stroke=\"")
                w.append(style.colour.hex)
                w.append("\" stroke-width=\"1.1")
            }
            if style.opacity < 1 {
                w.append("\" opacity=\"")
                w.append(number: style.opacity)
            }
            w.append("\"/>\n")
        }
        w.append("</defs>\n")
        let clipID = run.clip.map { beginClip($0, into: &w, state: &state) }
        if clipID == nil { w.append("<g>\n") }
        for i in run.x.indices {
            w.append("<use xlink:href=\"#m")
            w.appendInteger(Int64(base + run.style[i]))
            w.append("\"")
            if interactive {
                w.append(" class=\"s")
                w.appendInteger(Int64(base + run.style[i]))
                w.append("\" data-i=\"")
                w.appendInteger(Int64(runIndex))
                w.append(":")
                w.appendInteger(Int64(i))
                w.append("\"")
            }
            w.append(" x=\"")
            w.append(number: run.x[i])
            w.append("\" y=\"")
            w.append(number: run.y[i])
            w.append("\"/>\n")
        }
        w.append("</g>\n")
    }

    /// The path of a marker centred on (0, 0).
    static func appendMarkerPath(_ shape: MarkerShape, size: Double, into w: inout ByteWriter) {
        guard let polygon = MarkerGeometry.polygon(shape) else {
            // A circle: two half arcs of radius r, from (−r, 0) to (r, 0) and back.
            let r = size / 2
            w.append("M")
            w.append(number: -r)
            for end in [r, -r] {
                w.append(",0A")
                w.append(number: r)
                w.append(",")
                w.append(number: r)
                w.append(" 0 1,0 ")
                w.append(number: end)
            }
            w.append(",0Z")
            return
        }
        for (k, (px, py)) in polygon.enumerated() {
            w.append(k == 0 ? "M" : "L")
            w.append(number: px * size)
            w.append(",")
            w.append(number: py * size)
        }
        w.append("Z")
    }
}
