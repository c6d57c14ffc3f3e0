import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.*;

/**
 * Reads each .properties file given the two ways Java programs do (Properties.load(InputStream): ISO-8859-1, and
 * load(Reader) in UTF-8: Spring Boot's option, ResourceBundle's default since Java 9) and prints one line per entry,
 * sorted by key: mode, file index, key and value, each as UTF-16 code units in hex, so no character needs quoting.
 */
public class PropertiesDump {
    public static void main(String[] args) throws IOException {
        for (int f = 0; f < args.length; f++) {
            byte[] bytes = Files.readAllBytes(Paths.get(args[f]));
            dump("L", f, load(new InputStreamReader(new ByteArrayInputStream(bytes), StandardCharsets.ISO_8859_1), bytes, true));
            dump("U", f, load(new InputStreamReader(new ByteArrayInputStream(bytes), StandardCharsets.UTF_8), bytes, false));
        }
    }

    private static Properties load(Reader reader, byte[] bytes, boolean stream) throws IOException {
        Properties properties = new Properties();
        try {
            if (stream) {
                properties.load(new ByteArrayInputStream(bytes));
            } else {
                properties.load(reader);
            }
        } catch (IllegalArgumentException e) {
            properties.setProperty("\u0000error", "malformed");
        }
        return properties;
    }

    private static void dump(String mode, int file, Properties properties) {
        TreeMap<String, String> sorted = new TreeMap<>();
        for (String key : properties.stringPropertyNames()) {
            sorted.put(key, properties.getProperty(key));
        }
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, String> entry : sorted.entrySet()) {
            out.append(mode).append('\t').append(file).append('\t').append(hex(entry.getKey())).append('\t').append(hex(entry.getValue())).append('\n');
        }
        System.out.print(out);
    }

    private static String hex(String text) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            sb.append(String.format("%04x", (int) text.charAt(i)));
        }
        return sb.length() == 0 ? "-" : sb.toString();
    }
}
