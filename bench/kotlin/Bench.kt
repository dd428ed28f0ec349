// Benchmark driver for the Kotlin binding (UniFFI, JVM): consumes the firehose through a
// SessionEventListener (what the Flow helper is built on). Modes: throughput, latency,
// sessions. Prints one `BENCH_RESULT {json}` line.
import copilot.core.*
import java.io.File
import java.lang.management.ManagementFactory
import java.util.concurrent.atomic.AtomicLong
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.delay
import kotlinx.coroutines.runBlocking

fun arg(args: Array<String>, name: String, default: String? = null): String? {
    val i = args.indexOf(name)
    return if (i >= 0 && i + 1 < args.size) args[i + 1] else default
}

fun rssKib(): Long =
    File("/proc/self/status").readLines().firstOrNull { it.startsWith("VmRSS:") }
        ?.split(Regex("\\s+"))?.getOrNull(1)?.toLong() ?: 0

fun cpuSeconds(): Double = (ManagementFactory.getOperatingSystemMXBean() as com.sun.management.OperatingSystemMXBean)
    .processCpuTime / 1e9

fun percentile(v: DoubleArray, n: Int, p: Double): Double {
    if (n == 0) return Double.NaN
    val s = v.copyOf(n).also { it.sort() }
    return s[minOf(n - 1, Math.round(p / 100.0 * (n - 1)).toInt())]
}

fun main(args: Array<String>) = runBlocking {
    val mode = arg(args, "--mode", "throughput")!!
    val cli = arg(args, "--cli") ?: error("--cli PATH required")
    val count = arg(args, "--count", "1000")!!.toInt()
    val options = ClientOptions(cliPath = cli, requestTimeoutMs = 600_000uL)
    val approveAll = SessionConfig(permissionPreset = PermissionPreset.APPROVE_ALL)
    when (mode) {
        "throughput", "latency" -> {
            val latency = mode == "latency"
            val client = CopilotClient.start(options)
            val session = client.createSession(approveAll)
            val deltas = AtomicLong()
            val lat = DoubleArray(2_000_000)
            var latN = 0
            val idle = CompletableDeferred<Unit>()
            val handle = session.subscribe(object : SessionEventListener {
                override suspend fun onEvent(event: SessionEvent) {
                    when (event.eventType) {
                        "assistant.message_delta" -> {
                            deltas.incrementAndGet()
                            if (latency) {
                                val d = event.data as? EventData.AssistantMessageDelta
                                val sent = d?.deltaContent?.substringBefore('|')?.toLongOrNull()
                                if (sent != null && latN < lat.size) {
                                    val i = java.time.Instant.now()
                                    val now = i.epochSecond * 1_000_000_000L + i.nano
                                    lat[latN++] = (now - sent) / 1000.0
                                }
                            }
                        }
                        "session.idle" -> idle.complete(Unit)
                    }
                }
                override fun onLagged(skipped: ULong) { System.err.println("lagged $skipped") }
                override fun onClosed() {}
            })
            val cpu0 = cpuSeconds()
            val t0 = System.nanoTime()
            session.send("go")
            idle.await()
            val wall = (System.nanoTime() - t0) / 1e9
            val cpu = cpuSeconds() - cpu0
            val n = deltas.get()
            val extra = if (latency) ",\"p50_us\":${percentile(lat, latN, 50.0)},\"p99_us\":${percentile(lat, latN, 99.0)}" else ""
            println("BENCH_RESULT {\"events\":$n,\"wall_s\":$wall,\"cpu_s\":$cpu,\"events_per_s\":${n / wall}$extra}")
            handle.cancel()
            client.stop()
        }
        "sessions" -> {
            val before = rssKib()
            val client = CopilotClient.start(options)
            val keep = ArrayList<Any>()
            repeat(count) {
                val s = client.createSession(approveAll)
                keep += s
                keep += s.subscribe(object : SessionEventListener {
                    override suspend fun onEvent(event: SessionEvent) {}
                    override fun onLagged(skipped: ULong) {}
                    override fun onClosed() {}
                })
            }
            delay(200)
            System.gc()
            delay(200)
            println("BENCH_RESULT {\"sessions\":$count,\"rss_kib\":${rssKib()},\"rss_before_kib\":$before}")
            client.stop()
        }
        else -> error("unknown mode $mode")
    }
    System.exit(0)
}
