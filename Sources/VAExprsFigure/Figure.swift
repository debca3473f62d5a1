import Foundation

/// A back-end-neutral description of a figure: panels of marks on linear scales, with axes,
/// titles and legends. Renderers (`svg`, `png`, `pdf`, `html`, `terminal`, plugins) turn it
/// into bytes; it is Codable, so it can cross a plugin boundary as JSON.
public struct Figure: Codable, Sendable, Equatable {
    /// Title above every panel, if any.
    public var title: String?
    /// Size in points (1/72 inch; SVG user units).
    public var width: Double
    /// Size in points.
    public var height: Double
    /// Panels, laid out left to right in rows of `columns`.
    public var panels: [Panel]
    /// Panels per row.
    public var columns: Int
    /// Legends, drawn to the right of the panels.
    public var legends: [Legend]

    /// A figure from its parts.
    public init(
        title: String? = nil, width: Double = 640, height: Double = 480, panels: [Panel],
        columns: Int = 1, legends: [Legend] = []
    ) {
        self.title = title
        self.width = width
        self.height = height
        self.panels = panels
        self.columns = max(1, columns)
        self.legends = legends
    }
}

/// One plotting area with its two axes and the marks drawn in it.
public struct Panel: Codable, Sendable, Equatable {
    /// Title above the panel.
    public var title: String?
    /// Horizontal axis.
    public var x: Axis
    /// Vertical axis.
    public var y: Axis
    /// Marks, drawn in order.
    public var marks: [Mark]

    /// A panel from its parts.
    public init(title: String? = nil, x: Axis, y: Axis, marks: [Mark]) {
        self.title = title
        self.x = x
        self.y = y
        self.marks = marks
    }
}

/// How an axis maps values to positions.
public enum AxisScale: String, Codable, Sendable {
    /// Equal steps for equal differences.
    case linear
    /// Equal steps for equal ratios (positive values only): for quantities spanning decades.
    case log
}

/// An axis: its title, the data interval it shows, its scale and its tick marks.
public struct Axis: Codable, Sendable, Equatable {
    /// Axis title, e.g. `PC1 (23.4 %)`.
    public var title: String
    /// Lowest value shown.
    public var lower: Double
    /// Highest value shown.
    public var upper: Double
    /// Tick marks.
    public var ticks: [Tick]
    /// Linear or logarithmic (then `lower` > 0).
    public var scale: AxisScale

    /// An axis over [lower, upper] with the given ticks.
    public init(title: String, lower: Double, upper: Double, ticks: [Tick], scale: AxisScale = .linear) {
        self.title = title
        self.lower = lower
        self.upper = upper
        self.ticks = ticks
        self.scale = scale == .log && lower > 0 && upper > lower ? .log : .linear
    }

    private enum CodingKeys: String, CodingKey { case title, lower, upper, ticks, scale }

    /// Decodes an axis; `scale` may be absent (linear).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            title: try c.decode(String.self, forKey: .title), lower: try c.decode(Double.self, forKey: .lower),
            upper: try c.decode(Double.self, forKey: .upper), ticks: try c.decode([Tick].self, forKey: .ticks),
            scale: try c.decodeIfPresent(AxisScale.self, forKey: .scale) ?? .linear)
    }

    /// A logarithmic axis covering the positive `values`, with ticks at 1, 2 and 5 × 10ᵏ
    /// (only 10ᵏ when they span more than three decades); linear when no value is positive.
    package static func logarithmic(title: String, covering values: [Double]) -> Axis {
        let positive = values.filter { $0 > 0 && $0.isFinite }
        guard let low = positive.min(), let high = positive.max() else { return Axis(title: title, covering: values) }
        let pad = pow(high / low, 0.04)
        let lower = low / max(pad, 1.05), upper = high * max(pad, 1.05)
        // Values spanning more than doubles can divide (1e-300 to 1e300): linear axis.
        guard lower > 0, upper.isFinite, (upper / lower).isFinite else { return Axis(title: title, covering: values) }
        let decades = log10(upper / lower)
        let multiples: [Double] = decades > 3 ? [1] : [1, 2, 5]
        var ticks: [Tick] = []
        var exponent = Int(log10(lower).rounded(.down))
        while exponent <= Int(log10(upper).rounded(.up)) && ticks.count < 40 {
            for m in multiples {
                let v = m * pow(10, Double(exponent))
                if v >= lower && v <= upper { ticks.append(Tick(value: v, label: Tick.formatTick(v, step: min(v, 1)))) }
            }
            exponent += 1
        }
        return Axis(title: title, lower: lower, upper: upper, ticks: ticks, scale: .log)
    }

    /// An axis covering `values` with a small margin and "nice" ticks (1, 2 or 5 × 10ᵏ apart).
    package init(title: String, covering values: [Double], margin: Double = 0.04, tickCount: Int = 6) {
        let finite = values.filter(\.isFinite)
        var low = finite.min() ?? 0, high = finite.max() ?? 1
        if low == high {
            low -= 0.5
            high += 0.5
        }
        let pad = (high - low) * margin
        low -= pad
        high += pad
        self.init(title: title, lower: low, upper: high, ticks: Tick.nice(from: low, to: high, count: tickCount))
    }

    /// Where `value` falls on the axis, 0 at `lower` and 1 at `upper` (non-positive values
    /// on a log axis fall below it).
    @inlinable public func fraction(_ value: Double) -> Double {
        switch scale {
        case .linear: return (value - lower) / (upper - lower)
        case .log: return value > 0 ? log(value / lower) / log(upper / lower) : -.infinity
        }
    }
}

/// A labelled tick mark.
public struct Tick: Codable, Sendable, Equatable {
    /// Data value.
    public var value: Double
    /// Text shown.
    public var label: String

    /// A tick.
    public init(value: Double, label: String) {
        self.value = value
        self.label = label
    }

    /// About `count` ticks at a round step (1, 2 or 5 × 10ᵏ) inside [low, high].
    package static func nice(from low: Double, to high: Double, count: Int) -> [Tick] {
        guard high > low, count > 0, low.isFinite, high.isFinite, (high - low).isFinite else { return [] }
        let raw = (high - low) / Double(count)
        let magnitude = pow(10, log10(raw).rounded(.down))
        // The round step whose tick count is closest to the one asked for.
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.min {
            abs((high - low) / $0 - Double(count)) < abs((high - low) / $1 - Double(count))
        }!
        let first = (low / step).rounded(.up)
        // A range tiny beside its magnitude (1e16 to 1e16 + 2, say) has steps a double cannot
        // count in, or more decimals than a label shows: one tick in the middle, in full.
        guard first.magnitude < 1e15, step >= 1e-10 else {
            let middle = low / 2 + high / 2
            return [
                Tick(value: middle, label: String(format: "%.12g", middle).replacingOccurrences(of: "-", with: "−"))
            ]
        }
        var ticks: [Tick] = []
        for index in 0...(2 * count + 2) {  // a round step gives at most about 2 × count ticks
            let v = (first + Double(index)) * step
            guard v <= high + step * 1e-9 else { break }
            ticks.append(Tick(value: v, label: formatTick(abs(v) < step * 1e-9 ? 0 : v, step: step)))
        }
        return ticks
    }

    static func formatTick(_ v: Double, step: Double) -> String {
        var decimals = 0, s = step
        while s < 1 - 1e-9 && decimals < 10 {
            s *= 10
            decimals += 1
        }
        if decimals == 0 {
            let whole = Int64(v.rounded())
            return (whole < 0 ? "−" : "") + String(abs(whole))
        }
        let scale = pow(10, Double(decimals))
        let scaled = Int64((abs(v) * scale).rounded())
        if scaled == 0 { return "0" }
        let whole = scaled / Int64(scale), fraction = scaled % Int64(scale)
        var digits = String(fraction)
        while digits.count < decimals { digits = "0" + digits }
        return (v < 0 && scaled != 0 ? "−" : "") + "\(whole).\(digits)"
    }
}

/// Something drawn in a panel, in data coordinates. In JSON, a mark is its fields plus
/// `"type": "points" | "line" | "rects" | "text"`.
public enum Mark: Codable, Sendable, Equatable {
    /// Scatter points.
    case points(PointMark)
    /// A polyline.
    case line(LineMark)
    /// Axis-aligned rectangles.
    case rects(RectMark)
    /// Text labels.
    case text(TextMark)

    private enum CodingKeys: String, CodingKey { case type }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .points(let m):
            try container.encode("points", forKey: .type)
            try m.encode(to: encoder)
        case .line(let m):
            try container.encode("line", forKey: .type)
            try m.encode(to: encoder)
        case .rects(let m):
            try container.encode("rects", forKey: .type)
            try m.encode(to: encoder)
        case .text(let m):
            try container.encode("text", forKey: .type)
            try m.encode(to: encoder)
        }
    }

    public init(from decoder: any Decoder) throws {
        let type = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .type)
        switch type {
        case "points": self = .points(try PointMark(from: decoder))
        case "line": self = .line(try LineMark(from: decoder))
        case "rects": self = .rects(try RectMark(from: decoder))
        case "text": self = .text(try TextMark(from: decoder))
        default:
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "unknown mark type '\(type)'"))
        }
    }
}

/// Marker shapes.
public enum MarkerShape: String, Codable, Sendable, CaseIterable {
    case circle, square, triangle, diamond, triangleDown = "triangle-down", cross
}

/// How a group of points looks, and the legend group it belongs to.
public struct PointStyle: Codable, Sendable, Equatable {
    /// Fill (or outline, when hollow) colour.
    public var colour: Colour
    /// Marker shape.
    public var shape: MarkerShape
    /// Filled, or drawn as an outline (distinguishable in greyscale).
    public var filled: Bool
    /// Marker diameter in points.
    public var size: Double
    /// Legend groups this style belongs to (toggling any of them hides the points).
    public var groups: [String]
    /// Opacity of the marker, 0…1 (overlapping clouds stay visible below 1).
    public var opacity: Double

    /// A style.
    public init(
        colour: Colour, shape: MarkerShape = .circle, filled: Bool = true, size: Double = 5, groups: [String] = [],
        opacity: Double = 1
    ) {
        self.colour = colour
        self.shape = shape
        self.filled = filled
        self.size = size
        self.groups = groups
        self.opacity = opacity
    }

    private enum CodingKeys: String, CodingKey { case colour, shape, filled, size, groups, opacity }

    /// Decodes a style; `opacity` may be absent (figures written before it existed: opaque).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        colour = try c.decode(Colour.self, forKey: .colour)
        shape = try c.decode(MarkerShape.self, forKey: .shape)
        filled = try c.decode(Bool.self, forKey: .filled)
        size = try c.decode(Double.self, forKey: .size)
        groups = try c.decode([String].self, forKey: .groups)
        opacity = min(1, max(0, try c.decodeIfPresent(Double.self, forKey: .opacity) ?? 1))
    }
}

/// Scatter points; point i is drawn with `styles[style[i]]`.
public struct PointMark: Codable, Sendable, Equatable {
    /// Horizontal data values.
    public var x: [Double]
    /// Vertical data values.
    public var y: [Double]
    /// Style index of each point.
    public var style: [Int]
    /// The styles.
    public var styles: [PointStyle]
    /// Hover text of each point (interactive renderers), if any.
    public var tooltips: [String]?

    /// Points; the arrays must have equal lengths.
    public init(x: [Double], y: [Double], style: [Int], styles: [PointStyle], tooltips: [String]? = nil) {
        precondition(x.count == y.count && x.count == style.count && (tooltips?.count ?? x.count) == x.count)
        self.x = x
        self.y = y
        self.style = style
        self.styles = styles
        self.tooltips = tooltips
    }
}

/// A polyline (NaN values break it).
public struct LineMark: Codable, Sendable, Equatable {
    /// Horizontal data coordinates of the vertices.
    public var x: [Double]
    /// Vertical data coordinates of the vertices.
    public var y: [Double]
    /// Stroke colour.
    public var colour: Colour
    /// Stroke width in points.
    public var width: Double
    /// Dash pattern in points (empty = solid).
    public var dash: [Double]
    /// Legend group.
    public var group: String?

    /// A line.
    public init(
        x: [Double], y: [Double], colour: Colour, width: Double = 1.5, dash: [Double] = [], group: String? = nil
    ) {
        self.x = x
        self.y = y
        self.colour = colour
        self.width = width
        self.dash = dash
        self.group = group
    }
}

/// Rectangles [x0, x1] × [y0, y1] in data coordinates.
public struct RectMark: Codable, Sendable, Equatable {
    /// Left edges.
    public var x0: [Double]
    /// Right edges.
    public var x1: [Double]
    /// Bottom edges.
    public var y0: [Double]
    /// Top edges.
    public var y1: [Double]
    /// Fill colour.
    public var colour: Colour
    /// Fill opacity, 0…1.
    public var opacity: Double

    /// Rectangles; the arrays must have equal lengths.
    public init(x0: [Double], x1: [Double], y0: [Double], y1: [Double], colour: Colour, opacity: Double = 1) {
        self.x0 = x0
        self.x1 = x1
        self.y0 = y0
        self.y1 = y1
        self.colour = colour
        self.opacity = opacity
    }
}

/// Horizontal text alignment.
public enum TextAnchor: String, Codable, Sendable {
    /// Text starts at the point, ends centred on it, or ends at it.
    case start, middle, end
}

/// Text at data coordinates.
public struct TextMark: Codable, Sendable, Equatable {
    /// Horizontal data coordinate of the anchor.
    public var x: Double
    /// Vertical data coordinate of the baseline.
    public var y: Double
    /// The text.
    public var text: String
    /// Text colour.
    public var colour: Colour
    /// Font size in points.
    public var size: Double
    /// Where the text sits relative to `x`.
    public var anchor: TextAnchor

    /// A label.
    public init(
        x: Double, y: Double, text: String, colour: Colour = .black, size: Double = 10, anchor: TextAnchor = .start
    ) {
        self.x = x
        self.y = y
        self.text = text
        self.colour = colour
        self.size = size
        self.anchor = anchor
    }
}

/// A legend: a title and entries, each a marker or a line swatch.
public struct Legend: Codable, Sendable, Equatable {
    /// The legend's title.
    public var title: String
    /// Its entries, in order.
    public var entries: [LegendEntry]

    /// A legend.
    public init(title: String, entries: [LegendEntry]) {
        self.title = title
        self.entries = entries
    }
}

/// One legend entry; `group` links it to the marks it toggles.
public struct LegendEntry: Codable, Sendable, Equatable {
    /// The entry's text.
    public var label: String
    /// The swatch's colour.
    public var colour: Colour
    /// A marker swatch of this shape, or a line swatch when nil.
    public var shape: MarkerShape?
    /// A filled or hollow marker.
    public var filled: Bool
    /// The group of marks the entry shows and hides.
    public var group: String

    /// An entry.
    public init(label: String, colour: Colour, shape: MarkerShape? = .circle, filled: Bool = true, group: String) {
        self.label = label
        self.colour = colour
        self.shape = shape
        self.filled = filled
        self.group = group
    }
}
