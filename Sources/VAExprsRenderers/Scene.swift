import VAExprsCore

/// A rectangle in scene coordinates (points, origin top left, y down).
struct SceneRect: Equatable {
    var x: Double, y: Double, width: Double, height: Double
}

/// Markers laid out in scene coordinates: marker i at (x[i], y[i]) with `styles[style[i]]`.
struct MarkerRun {
    var x: [Double]
    var y: [Double]
    var style: [Int]
    var styles: [PointStyle]
    var tooltips: [String]?
    var clip: SceneRect?
}

/// One drawing primitive. Every renderer draws the same scene, so layout lives in one place.
enum SceneItem {
    case rect(SceneRect, fill: Colour?, stroke: Colour?, strokeWidth: Double, opacity: Double)
    case polyline(x: [Double], y: [Double], colour: Colour, width: Double, dash: [Double], clip: SceneRect?)
    case text(String, x: Double, y: Double, size: Double, anchor: TextAnchor, colour: Colour, rotated: Bool, bold: Bool)
    case markers(MarkerRun)
    /// A legend entry; interactive renderers toggle its group when it is clicked.
    case legendEntry(group: String, items: [SceneItem])
    /// Plot items of one legend group (hidden when the group is toggled off).
    case series(group: String, items: [SceneItem])
}

/// A figure laid out for drawing.
struct Scene {
    var width: Double
    var height: Double
    var items: [SceneItem]
}
