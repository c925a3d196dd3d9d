// Jena ARQ as a bare peer engine for bench/serving.py, run as a single-file program:
//   tests/tools/jena bench/JenaQueries.java DUMP.nq.gz QUERIES.json OUT.json SAMPLES SECONDS MIN
// It loads the N-Quads dump once into an in-memory dataset whose default graph holds every
// quad's triple (the union of the named graphs, as a set, as our store queries it), then does
// what the bare pyoxigraph target does: asks each query of the mix once for its answer, then
// times it (each run parses, evaluates and writes the whole answer: SPARQL JSON, or N-Triples
// for a graph) until SAMPLES timings or SECONDS are up, at least MIN; a query whose first
// answer took longer than SECONDS is timed by it alone, and one past 30 s is an error. It
// writes its figures to OUT.json: times in nanoseconds, memory in kB, the answers.

import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.apache.jena.atlas.json.JSON;
import org.apache.jena.atlas.json.JsonArray;
import org.apache.jena.atlas.json.JsonObject;
import org.apache.jena.graph.Graph;
import org.apache.jena.graph.Triple;
import org.apache.jena.query.ARQ;
import org.apache.jena.query.Dataset;
import org.apache.jena.query.DatasetFactory;
import org.apache.jena.query.QueryExecution;
import org.apache.jena.query.ResultSetFormatter;
import org.apache.jena.rdf.model.Model;
import org.apache.jena.riot.Lang;
import org.apache.jena.riot.RDFDataMgr;
import org.apache.jena.riot.RDFParser;
import org.apache.jena.riot.system.StreamRDFBase;
import org.apache.jena.sparql.core.Quad;
import org.apache.jena.system.Txn;

public class JenaQueries {
    public static void main(String[] args) throws Exception {
        Path dump = Path.of(args[0]);
        JsonObject queries = JSON.read(args[1]);
        String out = args[2];
        int samples = (int) Double.parseDouble(args[3]);
        double seconds = Double.parseDouble(args[4]);
        int minimum = (int) Double.parseDouble(args[5]);

        long started = System.nanoTime();
        Dataset dataset = DatasetFactory.createTxnMem();
        InputStream gunzipped = new GZIPInputStream(Files.newInputStream(dump), 1 << 16);
        Txn.executeWrite(dataset, () -> {
            Graph union = dataset.asDatasetGraph().getDefaultGraph();
            RDFParser.source(gunzipped).lang(Lang.NQUADS).parse(new StreamRDFBase() {
                @Override
                public void triple(Triple triple) {
                    union.add(triple);
                }

                @Override
                public void quad(Quad quad) {
                    union.add(quad.asTriple());
                }
            });
        });
        long load = System.nanoTime() - started;
        JsonObject memoryIdle = memory();

        JsonObject figures = new JsonObject();
        for (String name : queries.keys()) {
            String query = queries.get(name).getAsString().value();
            JsonObject figure = new JsonObject();
            try {
                long asked = System.nanoTime();
                byte[] body = run(dataset, query);
                long first = System.nanoTime() - asked;
                figure.put("body", new String(body, StandardCharsets.UTF_8));
                JsonArray times = new JsonArray();
                if (first > seconds * 1e9) {  // longer than the time allowed: timed by this one
                    times.add(first);
                } else {
                    long deadline = System.nanoTime() + (long) (seconds * 1e9);
                    while (times.size() < samples
                            && (times.size() < minimum || System.nanoTime() - deadline < 0)) {
                        long t = System.nanoTime();
                        run(dataset, query);
                        times.add(System.nanoTime() - t);
                    }
                }
                figure.put("times", times);
            } catch (Exception e) {
                figure.put("error", e.getClass().getSimpleName());
                figure.put("body", String.valueOf(e.getMessage()));
            }
            figures.put(name, figure);
        }

        JsonObject result = new JsonObject();
        result.put("load_ns", load);
        result.put("queries", figures);
        result.put("memory_idle", memoryIdle);
        result.put("memory_after", memory());
        String java = System.getProperty("java.version");
        result.put("version", "Jena " + ARQ.VERSION + ", Java " + java);
        try (OutputStream output = new FileOutputStream(out)) {
            JSON.write(output, result);
        }
    }

    /** One run of a query: parsed, evaluated and its whole answer written, as the bare engine. */
    static byte[] run(Dataset dataset, String query) {
        return Txn.calculateRead(dataset, () -> {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            try (QueryExecution execution =
                    QueryExecution.dataset(dataset).query(query)
                            .timeout(30, TimeUnit.SECONDS).build()) {
                if (execution.getQuery().isSelectType()) {
                    ResultSetFormatter.outputAsJSON(body, execution.execSelect());
                } else if (execution.getQuery().isAskType()) {
                    ResultSetFormatter.outputAsJSON(body, execution.execAsk());
                } else {
                    Model model = execution.getQuery().isDescribeType()
                            ? execution.execDescribe() : execution.execConstruct();
                    RDFDataMgr.write(body, model, Lang.NTRIPLES);
                }
            }
            return body.toByteArray();
        });
    }

    /** The process's PSS and peak resident memory (VmHWM), in kB, from /proc/self. */
    static JsonObject memory() throws Exception {
        JsonObject memory = new JsonObject();
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps_rollup"))) {
            if (line.startsWith("Pss:")) {
                memory.put("pss_kb", Long.parseLong(line.split("\\s+")[1]));
            }
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                memory.put("peak_rss_kb", Long.parseLong(line.split("\\s+")[1]));
            }
        }
        return memory;
    }
}
