/// A 2-D quadtree over an embedding for Barnes–Hut estimates of t-SNE's repulsive forces
/// (van der Maaten 2014). Nodes live in one flat array; each covers a contiguous range of a
/// permutation of the points, so a leaf knows exactly which points it holds.
struct BarnesHutTree {
    /// One node, packed so a visit touches one cache line.
    struct Node {
        var centreOfMassX: Double
        var centreOfMassY: Double
        var squaredWidth: Double
        var mass: Double
        /// Index of the first of four consecutive children, or −1 for a leaf.
        var firstChild: Int32
        /// The range of the point permutation the node covers.
        var rangeStart: Int32
        var rangeEnd: Int32
    }

    private(set) var nodes: [Node] = []
    /// Each point's position in the tree's permutation of the points.
    private(set) var position: [Int32]

    /// Deeper than this, remaining points are (numerically) identical and share a leaf.
    static let maxDepth = 48

    /// Builds the tree over points (x[i], y[i]).
    init(x: UnsafePointer<Double>, y: UnsafePointer<Double>, n: Int) {
        var permutation = (0..<Int32(n)).map { $0 }
        position = permutation
        var minX = Double.infinity, maxX = -Double.infinity, minY = Double.infinity, maxY = -Double.infinity
        for i in 0..<n {
            minX = min(minX, x[i])
            maxX = max(maxX, x[i])
            minY = min(minY, y[i])
            maxY = max(maxY, y[i])
        }
        let side = max(maxX - minX, maxY - minY) * (1 + 1e-9) + 1e-12
        nodes.reserveCapacity(2 * n)
        var stack: [(node: Int, cx: Double, cy: Double, half: Double, depth: Int)] = [
            (0, minX + side / 2, minY + side / 2, side / 2, 0)
        ]
        permutation.withUnsafeMutableBufferPointer { perm in
            nodes.append(Self.node(start: 0, end: n, perm, x, y))
            while let (node, cx, cy, half, depth) = stack.popLast() {
                let start = Int(nodes[node].rangeStart), end = Int(nodes[node].rangeEnd)
                nodes[node].squaredWidth = 4 * half * half
                guard end - start > 1, depth < Self.maxDepth else { continue }
                // Partition into quadrants: (x < cx, y < cy), (x ≥ cx, y < cy), (x < cx, y ≥ cy), (x ≥ cx, y ≥ cy).
                let split = Self.partition(perm, start, end) { y[Int($0)] < cy }
                let lowSplit = Self.partition(perm, start, split) { x[Int($0)] < cx }
                let highSplit = Self.partition(perm, split, end) { x[Int($0)] < cx }
                let bounds = [start, lowSplit, split, highSplit, end]
                let first = nodes.count
                nodes[node].firstChild = Int32(first)
                for q in 0..<4 { nodes.append(Self.node(start: bounds[q], end: bounds[q + 1], perm, x, y)) }
                let quarter = half / 2
                for q in 0..<4 where bounds[q + 1] > bounds[q] {
                    let qx = cx + (q % 2 == 0 ? -quarter : quarter), qy = cy + (q < 2 ? -quarter : quarter)
                    stack.append((first + q, qx, qy, quarter, depth + 1))
                }
            }
        }
        for (p, i) in permutation.enumerated() { position[Int(i)] = Int32(p) }
    }

    /// A leaf over `perm[start..<end]` with its centre of mass (its width is set when visited).
    private static func node(
        start: Int, end: Int, _ perm: UnsafeMutableBufferPointer<Int32>,
        _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>
    ) -> Node {
        var sx = 0.0, sy = 0.0
        for p in start..<end {
            sx += x[Int(perm[p])]
            sy += y[Int(perm[p])]
        }
        let m = Double(max(end - start, 1))
        return Node(
            centreOfMassX: sx / m, centreOfMassY: sy / m, squaredWidth: 0, mass: Double(end - start),
            firstChild: -1, rangeStart: Int32(start), rangeEnd: Int32(end))
    }

    private static func partition(
        _ a: UnsafeMutableBufferPointer<Int32>, _ start: Int, _ end: Int, _ isLow: (Int32) -> Bool
    ) -> Int {
        var lo = start, hi = end - 1
        while lo <= hi {
            if isLow(a[lo]) {
                lo += 1
            } else {
                a.swapAt(lo, hi)
                hi -= 1
            }
        }
        return lo
    }

    /// Adds to `force` the unnormalised repulsion Σ_j q_ij² (y_i − y_j) on point i and returns
    /// its part of the normaliser, Σ_j q_ij, with q_ij = 1 / (1 + |y_i − y_j|²). A node whose
    /// width over its distance is below `theta` counts as one mass at its centre (never a
    /// node holding point i itself). `nodes` is the tree's `nodes`; `stack` is scratch space.
    static func repulsion(
        nodes: UnsafeBufferPointer<Node>, position myPosition: Int32, x: Double, y: Double, theta: Double,
        stack: UnsafeMutablePointer<Int32>, force: inout (Double, Double)
    ) -> Double {
        let theta2 = theta * theta
        var z = 0.0, fx = 0.0, fy = 0.0
        var top = 1
        stack[0] = 0
        while top > 0 {
            top -= 1
            let node = nodes[Int(stack[top])]
            var mass = node.mass
            if mass == 0 { continue }
            let dx = x - node.centreOfMassX, dy = y - node.centreOfMassY
            let d2 = dx * dx + dy * dy
            let leaf = node.firstChild < 0
            let holdsPoint = node.rangeStart <= myPosition && myPosition < node.rangeEnd
            if leaf || (!holdsPoint && node.squaredWidth < theta2 * d2) {
                if holdsPoint {
                    mass -= 1  // the point itself (others in its leaf are its duplicates)
                    if mass == 0 { continue }
                }
                let q = 1 / (1 + d2)
                z += mass * q
                let mq2 = mass * q * q
                fx += mq2 * dx
                fy += mq2 * dy
            } else {
                let first = node.firstChild
                stack[top] = first
                stack[top + 1] = first + 1
                stack[top + 2] = first + 2
                stack[top + 3] = first + 3
                top += 4
            }
        }
        force = (fx, fy)
        return z
    }

    /// Stack slots `repulsion` may need: three per level plus the root's four.
    static let stackCapacity = 4 * (maxDepth + 2)
}
