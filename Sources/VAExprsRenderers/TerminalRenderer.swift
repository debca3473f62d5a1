import VAExprsCore

/// `terminal`: a quick look in a terminal — each panel as Unicode braille dots (2 × 4 per
/// character) in 24-bit ANSI colours (each character takes the colour most of its dots have),
/// its axis ranges, and the legends.
/// Spec: `terminal[:width=100][:height=28][:color=true]` (width and height in characters;
/// the command line sizes it to the terminal and turns colour off for files, pipes and
/// `NO_COLOR`).
package struct TerminalRenderer: Renderer {
    package let spec: ComponentSpec
    package var fileExtensions: [String] { ["txt"] }
    let columns: Int
    let rows: Int
    let colour: Bool

    /// The widest and tallest canvas, in characters.
    package static let maximumSide = 2_000

    /// The renderer; options are validated here.
    package init(spec: ComponentSpec) throws {
        self.spec = spec
        columns = try spec.int("width", position: nil, default: 100)
        rows = try spec.int("height", position: nil, default: 28)
        let c = spec.string("color", position: nil, default: "true")!
        guard (20...Self.maximumSide).contains(columns), (5...Self.maximumSide).contains(rows),
            ["true", "false"].contains(c)
        else {
            throw VAExprsError.usage(
                """
                \(spec.source): terminal needs a width of 20 to \(Self.maximumSide) and a height of 5 to \
                \(Self.maximumSide) characters, and color true or false
                """
            )
        }
        colour = c == "true"
    }

    package func render(_ figure: Figure) throws -> [UInt8] {
        var out = ""
        // Titles and labels come from data files: their control characters are shown, not obeyed.
        let shown = { (text: String) in DisplayText.neutralised(text, keepingNewlines: false) }
        if let title = figure.title { out += shown(title) + "\n" }
        for panel in figure.panels {
            if let title = panel.title { out += shown(title) + "\n" }
            var canvas = BrailleCanvas(columns: columns - 10, rows: rows)
            for mark in panel.marks {
                switch mark {
                case .points(let p):
                    for i in p.x.indices {
                        canvas.plot(
                            panel.x.fraction(p.x[i]), panel.y.fraction(p.y[i]), colour: p.styles[p.style[i]].colour)
                    }
                case .line(let l):
                    for i in 1..<max(l.x.count, 1) {
                        canvas.line(
                            from: (panel.x.fraction(l.x[i - 1]), panel.y.fraction(l.y[i - 1])),
                            to: (panel.x.fraction(l.x[i]), panel.y.fraction(l.y[i])), colour: l.colour)
                    }
                case .rects, .text: break
                }
            }
            let lines = canvas.lines(colour: colour)
            let top = label(panel.y.upper), bottom = label(panel.y.lower)
            for (r, line) in lines.enumerated() {
                let margin = r == 0 ? top : (r == lines.count - 1 ? bottom : "")
                out += String(repeating: " ", count: max(0, 9 - margin.count)) + margin + "┤" + line + "\n"
            }
            let low = label(panel.x.lower), high = label(panel.x.upper)
            out +=
                String(repeating: " ", count: 10) + low
                + String(repeating: " ", count: max(1, columns - 10 - low.count - high.count)) + high + "\n"
            out += String(repeating: " ", count: 10) + "x: \(shown(panel.x.title))   y: \(shown(panel.y.title))\n"
        }
        for legend in figure.legends {
            out +=
                shown(legend.title) + ": "
                + legend.entries.map { entry in
                    let symbol = entry.filled ? "●" : "○"
                    return (colour ? ansi(entry.colour) + symbol + "\u{1B}[0m" : symbol) + " " + shown(entry.label)
                }.joined(separator: "  ") + "\n"
        }
        return Array(out.utf8)
    }

    private func label(_ v: Double) -> String {
        let magnitude = abs(v)
        if magnitude >= 1e4 || (magnitude < 1e-2 && magnitude > 0) { return "\(Float(v))" }
        return "\((v * 100).rounded() / 100)"
    }
}

/// 24-bit ANSI foreground escape.
func ansi(_ c: Colour) -> String { "\u{1B}[38;2;\(c.red);\(c.green);\(c.blue)m" }

/// A grid of braille cells; each cell holds 2 × 4 dots and how many dots of each colour fell
/// in it (the character takes the commonest; ties go to the colour seen first).
struct BrailleCanvas {
    let columns: Int, rows: Int
    private var dots: [UInt8]
    private var colourCounts: [[(colour: Colour, count: Int)]]

    init(columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
        dots = [UInt8](repeating: 0, count: columns * rows)
        colourCounts = Array(repeating: [], count: columns * rows)
    }

    /// The colour most dots of a cell were drawn in.
    func colour(ofCell cell: Int) -> Colour? {
        var best: (colour: Colour, count: Int)? = nil
        for entry in colourCounts[cell] where entry.count > (best?.count ?? 0) { best = entry }
        return best?.colour
    }

    /// Sets the dot at fractions (fx, fy) of the width and height (fy = 0 at the bottom).
    mutating func plot(_ fx: Double, _ fy: Double, colour: Colour) {
        guard fx.isFinite, fy.isFinite, (0...1).contains(fx), (0...1).contains(fy) else { return }
        let dx = min(Int(fx * Double(columns * 2)), columns * 2 - 1)
        let dy = min(Int((1 - fy) * Double(rows * 4)), rows * 4 - 1)
        let cell = (dy / 4) * columns + dx / 2
        // Braille dot numbering: left column 1,2,3,7; right column 4,5,6,8.
        let bits: [[UInt8]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]
        dots[cell] |= bits[dx % 2][dy % 4]
        if let k = colourCounts[cell].firstIndex(where: { $0.colour == colour }) {
            colourCounts[cell][k].count += 1
        } else {
            colourCounts[cell].append((colour, 1))
        }
    }

    mutating func line(from a: (Double, Double), to b: (Double, Double), colour: Colour) {
        let length = max(abs(b.0 - a.0) * Double(columns * 2), abs(b.1 - a.1) * Double(rows * 4)).rounded(.up)
        guard length.isFinite, length < 100_000 else { return }
        let steps = Int(length) + 1
        for s in 0...steps {
            let t = Double(s) / Double(steps)
            plot(a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t, colour: colour)
        }
    }

    func lines(colour: Bool) -> [String] {
        (0..<rows).map { r in
            var line = ""
            for c in 0..<columns {
                let cell = r * columns + c
                let glyph = Character(Unicode.Scalar(0x2800 + UInt32(dots[cell]))!)
                if colour, let col = self.colour(ofCell: cell) {
                    line += ansi(col) + String(glyph) + "\u{1B}[0m"
                } else {
                    line.append(glyph)
                }
            }
            return line
        }
    }
}
