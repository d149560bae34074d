import CPalisadeShims
import MediaEngine
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `palisade_send_batch_segmented` (the worker's sendmmsg with UDP GSO): whatever runs it groups,
/// every receiver gets exactly the datagrams it was sent — same boundaries, bytes and order.
@Suite("SegmentedSend")
struct SegmentedSendTests {
    @Test("runs of equal datagrams to one peer arrive as the same datagrams; other peers and sizes are kept apart")
    func boundariesAndOrder() throws {
        let sender = try LoopbackPeer()
        let first = try LoopbackPeer()
        let second = try LoopbackPeer()
        // (destination, length): a run of five 172s closed by a shorter one, a larger one that
        // cannot join it, two 182s to another peer, then two 172s back to the first.
        let plan: [(LoopbackPeer, Int)] = [(first, 172), (first, 172), (first, 172), (first, 172), (first, 172),
                                           (first, 100), (first, 172), (second, 182), (second, 182),
                                           (first, 172), (first, 172)]
        let count = plan.count
        let batch = try #require(palisade_mmsg_batch_create(UInt32(count)))
        defer { palisade_mmsg_batch_destroy(batch) }
        let memory = UnsafeMutablePointer<UInt8>.allocate(capacity: count * 256)
        defer { memory.deallocate() }
        let buffers = UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>.allocate(capacity: count)
        defer { buffers.deallocate() }
        var lengths = [UInt32](repeating: 0, count: count)
        var addresses = [UInt32](repeating: 0, count: count)
        var ports = [UInt16](repeating: 0, count: count)
        for (i, (peer, length)) in plan.enumerated() {
            let packet = memory + i * 256
            for k in 0..<length { packet[k] = UInt8(truncatingIfNeeded: i &* 31 &+ k) }
            buffers[i] = packet
            lengths[i] = UInt32(length)
            addresses[i] = peer.endpoint.address
            ports[i] = peer.port
        }
        let sent = palisade_send_batch_segmented(batch, sender.fd, buffers, lengths, addresses, ports, UInt32(count))
        #expect(sent == Int32(count))
        // Loopback offloads checksums, so the kernel took segmented sends and segmentation stays on.
        #expect(palisade_mmsg_batch_segmentation(batch) == 1)

        for peer in [first, second] {
            for (i, entry) in plan.enumerated() where entry.0 === peer {
                let datagram = try #require(peer.receive(), "datagram \(i) did not arrive")
                #expect(datagram.from == sender.port)
                let expected = (0..<entry.1).map { UInt8(truncatingIfNeeded: i &* 31 &+ $0) }
                #expect(datagram.bytes == expected, "datagram \(i): \(datagram.bytes.count) bytes")
            }
            #expect(peer.receivesNothing(within: 50))
        }
    }

    @Test("more than 64 datagrams for one peer leave in several segmented sends, all delivered in order")
    func longRun() throws {
        let sender = try LoopbackPeer()
        let peer = try LoopbackPeer()
        var room: Int32 = 4 << 20 // 150 datagrams queued at once: more than the default buffer holds
        _ = setsockopt(peer.fd, SOL_SOCKET, SO_RCVBUFFORCE, &room, socklen_t(MemoryLayout<Int32>.size))
        _ = setsockopt(peer.fd, SOL_SOCKET, SO_RCVBUF, &room, socklen_t(MemoryLayout<Int32>.size))
        let count = 150
        let batch = try #require(palisade_mmsg_batch_create(UInt32(count)))
        defer { palisade_mmsg_batch_destroy(batch) }
        let memory = UnsafeMutablePointer<UInt8>.allocate(capacity: count * 200)
        defer { memory.deallocate() }
        let buffers = UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>.allocate(capacity: count)
        defer { buffers.deallocate() }
        for i in 0..<count {
            (memory + i * 200).initialize(repeating: UInt8(truncatingIfNeeded: i), count: 182)
            buffers[i] = memory + i * 200
        }
        let lengths = [UInt32](repeating: 182, count: count)
        let addresses = [UInt32](repeating: peer.endpoint.address, count: count)
        let ports = [UInt16](repeating: peer.port, count: count)
        #expect(palisade_send_batch_segmented(batch, sender.fd, buffers, lengths, addresses, ports,
                                              UInt32(count)) == Int32(count))
        for i in 0..<count {
            let datagram = try #require(peer.receive(), "datagram \(i) did not arrive")
            #expect(datagram.bytes == [UInt8](repeating: UInt8(truncatingIfNeeded: i), count: 182))
        }
        #expect(peer.receivesNothing(within: 50))
    }
}
