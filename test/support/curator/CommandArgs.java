// The words after a command's verb, read by position with clear errors: a missing or
// malformed argument becomes an {ok:false} answer naming the argument, never a crash.
final class CommandArgs {
    private final String verb;
    private final String[] words;

    CommandArgs(String verb, String[] words) {
        this.verb = verb;
        this.words = words;
    }

    /** The argument at `index` (0 = first after the verb). */
    String word(int index, String name) {
        if (index >= words.length) throw new IllegalArgumentException(verb + ": missing <" + name + ">");
        return words[index];
    }

    long number(int index, String name) {
        String text = word(index, name);
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(verb + ": <" + name + "> is not a number: " + text);
        }
    }

    /** An optional trailing number; null when absent. */
    Long optionalNumber(int index, String name) {
        return index < words.length ? number(index, name) : null;
    }

    /** An optional trailing word; null when absent. */
    String optionalWord(int index) {
        return index < words.length ? words[index] : null;
    }

    /** Refuses words beyond the `max` this command takes. */
    CommandArgs atMost(int max) {
        if (words.length > max) throw new IllegalArgumentException(verb + ": takes at most " + max + " arguments, got " + words.length);
        return this;
    }
}
