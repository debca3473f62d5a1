import Foundation
import VAExprsCore

/// Outline of each marker shape around (0, 0) for a marker of diameter 1 (y down); circles are
/// drawn as circles of radius ½.
enum MarkerGeometry {
    static func polygon(_ shape: MarkerShape) -> [(Double, Double)]? {
        switch shape {
        case .circle: return nil
        case .square: return [(-0.45, -0.45), (0.45, -0.45), (0.45, 0.45), (-0.45, 0.45)]
        case .diamond: return [(0, -0.6), (0.6, 0), (0, 0.6), (-0.6, 0)]
        case .triangle: return [(0, -0.6), (0.55, 0.4), (-0.55, 0.4)]
        case .triangleDown: return [(0, 0.6), (0.55, -0.4), (-0.55, -0.4)]
        case .cross:
            let a = 0.17, b = 0.55
            return [
                (-a, -b), (a, -b), (a, -a), (b, -a), (b, a), (a, a), (a, b), (-a, b), (-a, a), (-b, a), (-b, -a),
                (-a, -a)
            ]
        }
    }
}
