import CCairo
import Foundation
import VAExprsCore

/// `png` and `pdf` through cairo: anti-aliased shapes and real (font-rendered) text.
/// Spec: `png[:scale=2]` (pixels per point; 2 gives 1280 × 960 for the default figure) or `pdf`.
package struct CairoRenderer: Renderer {
    /// The file cairo writes: a PNG image or a PDF page.
    package enum Format: String, Sendable { case png, pdf }

    package let spec: ComponentSpec
    /// The format this renderer writes.
    package let format: Format
    let scale: Double
    package var fileExtensions: [String] { [format.rawValue] }

    /// The renderer; options are validated here.
    package init(spec: ComponentSpec, format: Format) throws {
        self.spec = spec
        self.format = format
        if format == .pdf, spec.raw("scale", position: nil) != nil {
            throw VAExprsError.usage(
                """
                \(spec.source): pdf is vector output and takes no scale; set the page size with \
                \(parameter: "width") and \(parameter: "height")
                """
            )
        }
        scale = try spec.double("scale", position: nil, default: format == .png ? 2 : 1)
        guard scale > 0, scale <= 16 else {
            throw VAExprsError.usage("\(spec.source): scale must be in (0, 16], got \(scale)")
        }
    }

    package func render(_ figure: Figure) throws -> [UInt8] {
        let scene = SceneLayout.layout(figure)
        // cairo's limits: image surfaces up to 32 767 pixels a side, PDF pages up to 14 400 points.
        let limit = format == .png ? 32_767.0 : 14_400.0
        let pixels = format == .png ? scale : 1
        guard scene.width.isFinite, scene.height.isFinite, scene.width * pixels >= 1, scene.height * pixels >= 1,
            scene.width * pixels <= limit, scene.height * pixels <= limit
        else {
            throw VAExprsError.usage(
                """
                \(spec.source): a \(scene.width) × \(scene.height) point \
                figure\(format == .png ? " at scale \(scale)" : "") is outside what \(format.rawValue) allows (1 \
                to \(Int(limit)) \(format == .png ? "pixels" : "points") a side); choose a smaller \
                \(parameter: "width"), \(parameter: "height") or scale
                """
            )
        }
        let sink = ByteSink()
        let closure = Unmanaged.passUnretained(sink).toOpaque()
        let surface: OpaquePointer?
        switch format {
        case .png:
            surface = cairo_image_surface_create(
                CAIRO_FORMAT_ARGB32, Int32((scene.width * scale).rounded()), Int32((scene.height * scale).rounded()))
        case .pdf:
            surface = cairo_pdf_surface_create_for_stream(ByteSink.write, closure, scene.width, scene.height)
        }
        guard let surface, cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else {
            throw VAExprsError(.other, "cairo could not create a \(format.rawValue) surface")
        }
        defer { cairo_surface_destroy(surface) }
        let cr = cairo_create(surface)!
        if format == .png { cairo_scale(cr, scale, scale) }
        cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL)
        for item in scene.items { draw(item, cr) }
        cairo_destroy(cr)
        switch format {
        case .png:
            cairo_surface_flush(surface)
            guard cairo_surface_write_to_png_stream(surface, ByteSink.write, closure) == CAIRO_STATUS_SUCCESS else {
                throw VAExprsError(.other, "cairo could not encode the PNG")
            }
        case .pdf:
            cairo_surface_finish(surface)
            guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else {
                throw VAExprsError(.other, "cairo could not write the PDF")
            }
        }
        return sink.bytes
    }

    private func setColour(_ cr: OpaquePointer, _ c: Colour, alpha: Double = 1) {
        let (r, g, b) = c.unit
        cairo_set_source_rgba(cr, r, g, b, alpha)
    }

    private func clip(_ cr: OpaquePointer, _ r: SceneRect?) {
        guard let r else { return }
        cairo_rectangle(cr, r.x, r.y, r.width, r.height)
        cairo_clip(cr)
    }

    private func draw(_ item: SceneItem, _ cr: OpaquePointer) {
        switch item {
        case let .rect(r, fill, stroke, width, opacity):
            cairo_rectangle(cr, r.x, r.y, r.width, r.height)
            if let fill {
                setColour(cr, fill, alpha: opacity)
                cairo_fill_preserve(cr)
            }
            if let stroke {
                setColour(cr, stroke)
                cairo_set_line_width(cr, width)
                cairo_stroke_preserve(cr)
            }
            cairo_new_path(cr)
        case let .polyline(xs, ys, colour, width, dash, clipRect):
            cairo_save(cr)
            clip(cr, clipRect)
            var pen = false
            for i in xs.indices {
                guard xs[i].isFinite && ys[i].isFinite else {
                    pen = false
                    continue
                }
                if pen { cairo_line_to(cr, xs[i], ys[i]) } else { cairo_move_to(cr, xs[i], ys[i]) }
                pen = true
            }
            setColour(cr, colour)
            cairo_set_line_width(cr, width)
            cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND)
            if !dash.isEmpty { cairo_set_dash(cr, dash, Int32(dash.count), 0) }
            cairo_stroke(cr)
            cairo_restore(cr)
        case let .text(text, x, y, size, anchor, colour, rotated, bold):
            cairo_save(cr)
            cairo_select_font_face(
                cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
            cairo_set_font_size(cr, size)
            var extents = cairo_text_extents_t()
            cairo_text_extents(cr, text, &extents)
            let shift = anchor == .start ? 0 : (anchor == .middle ? extents.x_advance / 2 : extents.x_advance)
            cairo_translate(cr, x, y)
            if rotated { cairo_rotate(cr, -Double.pi / 2) }
            cairo_move_to(cr, -shift, 0)
            setColour(cr, colour)
            cairo_show_text(cr, text)
            cairo_restore(cr)
        case .markers(let run):
            cairo_save(cr)
            clip(cr, run.clip)
            cairo_set_line_width(cr, 1.1)
            let polygons = run.styles.map { MarkerGeometry.polygon($0.shape) }
            for i in run.x.indices {
                let style = run.styles[run.style[i]]
                let x = run.x[i], y = run.y[i]
                guard x.isFinite && y.isFinite else { continue }
                if let polygon = polygons[run.style[i]] {
                    for (k, (px, py)) in polygon.enumerated() {
                        if k == 0 {
                            cairo_move_to(cr, x + px * style.size, y + py * style.size)
                        } else {
                            cairo_line_to(cr, x + px * style.size, y + py * style.size)
                        }
                    }
                    cairo_close_path(cr)
                } else {
                    cairo_new_sub_path(cr)
                    cairo_arc(cr, x, y, style.size / 2, 0, 2 * Double.pi)
                }
                setColour(cr, style.colour, alpha: style.opacity)
                if style.filled { cairo_fill(cr) } else { cairo_stroke(cr) }
            }
            cairo_restore(cr)
        case .legendEntry(_, let items), .series(_, let items):
            for sub in items { draw(sub, cr) }
        }
    }
}

/// Collects the bytes cairo streams out.
final class ByteSink {
    var bytes: [UInt8] = []

    /// cairo's write callback; `closure` is an unretained `ByteSink`.
    static let write: cairo_write_func_t = { closure, data, length in
        guard let closure, let data else { return CAIRO_STATUS_WRITE_ERROR }
        let sink = Unmanaged<ByteSink>.fromOpaque(closure).takeUnretainedValue()
        sink.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
        return CAIRO_STATUS_SUCCESS
    }
}
