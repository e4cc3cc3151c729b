"""Invented demo stories for the browser tests and the README screenshots.

Every outlet, headline and summary here is made up for Tidings' own tests; none is a
real article. They are stored through the real pipeline (vectors, topic scores,
story clusters), so the feed ranks them exactly as it would real ones.
"""

from datetime import timedelta

from django.utils import timezone

from feed.models import Article, Source, Topic, TopicModel
from feed.services import scoring
from tests import factories

OUTLETS = {
    "circuit": "Circuit Ledger",
    "harbour": "The Harbour Times",
    "margin": "Margin Notes",
    "orbit": "Low Orbit Review",
    "civic": "Civic Wire",
}

# (outlet, minutes ago, title, summary)
STORIES: list[tuple[str, int, str, str]] = [
    (
        "circuit",
        18,
        "Foundry group starts volume production of 2 nm chips for AI accelerators",
        "The contract chipmaker says yields on its newest process node are ahead of "
        "plan, and that the first wafers go to two GPU designers building data-centre "
        "accelerators for training large language models.",
    ),
    (
        "margin",
        35,
        "Open-weight language model matches larger rivals on reasoning benchmarks",
        "A research lab released a 30-billion-parameter model under a permissive "
        "licence; its authors say careful data curation, not scale, explains most of "
        "the gain on maths and coding tests.",
    ),
    (
        "harbour",
        52,
        "Port operators brace for new tariffs on steel and aluminium imports",
        "Shipping agents expect a rush of cargo before the duties take effect next "
        "month, while importers ask customs officials how the rules of origin will be "
        "applied to partly finished goods.",
    ),
    (
        "civic",
        70,
        "Parliament committee questions AI chatbot use in public services",
        "Members asked how a benefits agency checks the answers its chatbot gives, and "
        "whether residents are told when they are talking to an AI assistant.",
    ),
    (
        "circuit",
        95,
        "Memory makers raise prices as demand for high-bandwidth memory outstrips supply",
        "HBM stacks for AI servers are sold out through next year, two suppliers said, "
        "and both plan new packaging lines to keep up with accelerator orders.",
    ),
    (
        "harbour",
        120,
        "Export controls on chipmaking equipment widened to cover older lithography tools",
        "The new rules restrict sales of deep-ultraviolet scanners and servicing "
        "contracts; equipment makers warn of lost revenue while officials cite "
        "national security.",
    ),
    (
        "orbit",
        150,
        "Reusable rocket lands after carrying a weather satellite to orbit",
        "The booster returned to its landing pad eight minutes after launch; the "
        "satellite will map atmospheric water vapour to improve storm forecasts.",
    ),
    (
        "margin",
        185,
        "Startup trains a coding assistant that explains its own changes",
        "The AI model writes a short rationale for every edit it proposes, which the "
        "company says makes code review faster and mistakes easier to spot.",
    ),
    (
        "civic",
        230,
        "Trade ministers agree to restart talks on a regional free trade agreement",
        "Negotiators will meet again in the spring to discuss tariff schedules, "
        "agricultural quotas and a chapter on digital trade and data flows.",
    ),
    (
        "circuit",
        280,
        "Chip designer unveils a low-power processor for laptops with an on-device AI unit",
        "The system-on-chip pairs efficiency cores with a neural processing unit that "
        "runs speech recognition and photo search without sending data to the cloud.",
    ),
    (
        "harbour",
        330,
        "Heatwave pushes the regional power grid to a record evening peak",
        "Operators asked large users to cut demand for two hours as air conditioning "
        "use climbed and solar output faded after sunset.",
    ),
    (
        "margin",
        400,
        "Central bank holds interest rates and signals patience on inflation",
        "Policymakers said price growth is slowing but services inflation remains "
        "sticky, and markets pushed back expectations for a first cut.",
    ),
    (
        "orbit",
        470,
        "Lunar lander mission delayed to test a redesigned fuel valve",
        "Engineers found a leak during a ground test and will requalify the part "
        "before the spacecraft is shipped to the launch site.",
    ),
    (
        "civic",
        540,
        "City council votes to publish the algorithms used in parking enforcement",
        "The ordinance requires plain-language summaries of automated decision "
        "systems and an appeals route staffed by people.",
    ),
    (
        "circuit",
        620,
        "Packaging capacity, not wafers, is now the bottleneck for AI chips, analysts say",
        "Advanced packaging that stacks memory beside the GPU die takes longer to "
        "expand than new fabs, and three suppliers control most of it.",
    ),
    (
        "harbour",
        700,
        "Customs agency simplifies import paperwork for small online sellers",
        "A single digital declaration replaces four forms for parcels under a value "
        "threshold, part of a plan to cut clearance times at the border.",
    ),
    (
        "margin",
        800,
        "Researchers find AI image detectors are easily fooled by simple edits",
        "Cropping and re-compressing generated images cut detection accuracy by half "
        "in a study of six commercial tools.",
    ),
    (
        "orbit",
        900,
        "Space agency picks two companies to study a Mars sample return redesign",
        "Each receives a short contract to propose a cheaper and faster way to bring "
        "rock cores back to Earth.",
    ),
    (
        "civic",
        1000,
        "Sanctions package adds shipping firms accused of moving restricted goods",
        "The measures freeze assets of a dozen companies and bar their vessels from "
        "ports, officials said, citing evasion of earlier export bans.",
    ),
    (
        "circuit",
        1100,
        "Chipmaker posts record quarter on data-centre GPU sales",
        "Revenue from AI accelerators more than doubled from a year earlier, and the "
        "company raised its outlook as cloud providers keep expanding capacity.",
    ),
]

# Older background stories, so that the topic models have a corpus to learn from
# (they need about fifty articles): built from parts, one per line of BACKGROUND.
BACKGROUND_SUBJECTS = [
    ("Sports", "City rowing club", "wins the autumn regatta by half a length"),
    ("Sports", "Home side", "draws a rain-soaked cup match after extra time"),
    ("Sports", "Veteran sprinter", "announces she will retire after the season"),
    ("Sports", "Cycling team", "names a young climber to lead its mountain stage"),
    ("Sports", "Cricket board", "approves a day-night test for next summer"),
    ("Sports", "Marathon organisers", "move the start earlier to avoid the heat"),
    ("Health", "Hospital trust", "opens a walk-in clinic to shorten waiting lists"),
    ("Health", "Vaccine maker", "reports strong results in a late-stage trial"),
    ("Health", "Dentists", "warn that sugary drinks still drive tooth decay"),
    ("Health", "Regulator", "approves a once-weekly pill for type 2 diabetes"),
    ("Health", "Study of nurses", "links night shifts to poorer sleep for years"),
    ("Health", "Pharmacies", "begin offering flu jabs without appointments"),
    (
        "Science",
        "Palaeontologists",
        "describe a small feathered dinosaur from a quarry",
    ),
    ("Science", "Ocean survey", "maps a deep-sea coral reef off the continental shelf"),
    ("Science", "Physicists", "measure the proton's radius with new precision"),
    ("Science", "Botanists", "find an orchid thought extinct for a century"),
    ("Science", "Archaeologists", "uncover a Roman bath house under a car park"),
    ("Science", "Volcanologists", "detect rising magma beneath a dormant crater"),
    ("Culture", "Museum", "returns carved masks to the community that made them"),
    ("Culture", "Film festival", "opens with a quiet drama about two sisters"),
    ("Culture", "Library", "extends opening hours after a rise in visitors"),
    ("Culture", "Orchestra", "plays a free concert in the central square"),
    ("Culture", "Novelist", "wins the regional fiction prize for a debut"),
    ("Culture", "Theatre company", "tours village halls with a one-woman show"),
    ("Local", "Bus operator", "adds late-night services on three routes"),
    ("Local", "Council", "plants four hundred street trees this winter"),
    ("Local", "Bakery", "celebrates a hundred years on the high street"),
    ("Local", "Farmers market", "moves indoors for the colder months"),
    ("Local", "Bridge repairs", "close the river crossing for two weekends"),
    ("Local", "School", "opens a vegetable garden run by pupils"),
    ("Food", "Chef", "opens a small restaurant serving only soups"),
    ("Food", "Cheesemakers", "revive a recipe from an old monastery"),
    ("Food", "Coffee roaster", "switches to electric ovens"),
    ("Food", "Apple growers", "expect a bumper harvest after a mild spring"),
    ("Weather", "Forecasters", "expect fog and light frost at the weekend"),
    ("Weather", "Storm", "brings down trees and cuts power to rural homes"),
    ("Weather", "Dry autumn", "leaves reservoirs lower than usual"),
    ("Travel", "Airline", "adds a direct route to the northern islands"),
    ("Travel", "Rail line", "reopens after a landslide was cleared"),
    ("Travel", "Ferry company", "orders two quieter hybrid vessels"),
    ("Travel", "Hikers", "rescued after a night on the ridge"),
    ("Travel", "Ski resorts", "hope for snow before the holiday season"),
    ("Pets", "Animal shelter", "finds homes for thirty cats in a week"),
    ("Pets", "Vets", "warn dog owners about toxic algae in ponds"),
    ("Pets", "Guide dog charity", "trains its largest class of puppies"),
    ("Gardening", "Allotment society", "shares seeds at its spring swap"),
    ("Gardening", "Rose show", "draws record entries despite the rain"),
    ("Gardening", "Botanic garden", "opens a new glasshouse for desert plants"),
    ("Books", "Bookshop", "starts a reading club for teenagers"),
    ("Books", "Poet", "publishes letters written during a long voyage"),
    ("Books", "Historian", "tells the story of a forgotten canal"),
    ("Books", "Children's author", "visits schools across the county"),
    ("Music", "Choir", "records an album in a disused chapel"),
    ("Music", "Jazz club", "marks its fiftieth anniversary"),
    ("Music", "Folk festival", "announces its line-up for the summer"),
    ("Music", "Piano maker", "restores an instrument from a ship's lounge"),
]

# Stories covered by a second outlet: (outlet, minutes ago, index in STORIES).
ECHOES = [("harbour", 25, 0), ("margin", 60, 4)]


# Topic models fitted on the demo stories, kept for the rest of the session: fitting
# takes seconds, and every browser test starts from an emptied database.
_fitted: dict[str, list] = {}


def load_demo_stories() -> dict[str, Article]:
    """Store the demo stories (scored, clustered into stories); returns them by
    title."""
    now = timezone.now()
    sources = {
        key: factories.make_source(
            url=f"https://{key}.example.net/feed.xml",
            title=title,
            site_url=f"https://{key}.example.net/",
        )
        for key, title in OUTLETS.items()
    }
    entries: dict[str, list] = {key: [] for key in OUTLETS}
    for n, (outlet, minutes, title, summary) in enumerate(STORIES):
        entries[outlet].append(
            factories.entry(
                title,
                summary,
                published=now - timedelta(minutes=minutes),
                url=f"https://{outlet}.example.net/{n}",
            )
        )
    for outlet, minutes, index in ECHOES:
        _, _, title, summary = STORIES[index]
        entries[outlet].append(
            factories.entry(
                title,
                summary,
                published=now - timedelta(minutes=minutes),
                url=f"https://{outlet}.example.net/echo-{index}",
            )
        )
    background = factories.make_source(
        url="https://almanac.example.net/feed.xml", title="The Daily Almanac"
    )
    almanac = [
        factories.entry(
            f"{subject} {what}",
            f"{section}: {subject.lower()} {what}, according to people involved.",
            published=now - timedelta(hours=30 + 2 * n),
            url=f"https://almanac.example.net/{n}",
        )
        for n, (section, subject, what) in enumerate(BACKGROUND_SUBJECTS)
    ]
    factories.make_articles(background, almanac, score=False)
    for key, source in sources.items():
        factories.make_articles(source, entries[key], score=False)
    _score_demo_articles()
    return {a.title: a for a in Article.objects.order_by("published_at")}


def _score_demo_articles() -> None:
    """Fit the topic models on the demo articles (once a session) and store every
    article's topic probabilities, as a deployment's refresh would."""
    topics = {t.slug: t for t in Topic.objects.all()}
    if not _fitted:
        scoring.refresh_topic_models()
        slug_of = {t.score_key: slug for slug, t in topics.items()}
        _fitted["models"] = list(
            TopicModel.objects.values_list("topic__slug", "state", "n_documents")
        )
        _fitted["scores"] = [
            (url, {slug_of[k]: p for k, p in scores.items() if k in slug_of})
            for url, scores in Article.objects.values_list("url", "topic_scores")
        ]
        return
    TopicModel.objects.bulk_create(
        TopicModel(topic=topics[slug], state=state, n_documents=n)
        for slug, state, n in _fitted["models"]
    )
    articles = {a.url: a for a in Article.objects.only("id", "url", "topic_scores")}
    for url, scores in _fitted["scores"]:
        articles[url].topic_scores = {topics[s].score_key: p for s, p in scores.items()}
    Article.objects.bulk_update(articles.values(), ["topic_scores"])


def demo_sources() -> list[Source]:
    return list(Source.objects.filter(url__endswith=".example.net/feed.xml"))
