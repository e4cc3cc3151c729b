"""The topics Tidings ships with: slug, name, a one-paragraph description and seed
terms (words and phrases, matched case-insensitively on whole words, plurals folded).

The seed terms are written from general knowledge of each subject; the topic models
learn everything else from the deployment's own articles (feed.ranking.topics).
Plain data, no Django: `manage.py load_defaults` (or a data migration) turns each
spec into a Topic row with `seed_terms` one per line.
"""

from feed.ranking.topics import TopicSpec

AI = TopicSpec(
    slug="ai",
    name="AI",
    description=(
        "Artificial intelligence: machine-learning models, large language models, "
        "chatbots and generative AI; the companies that build them and their "
        "products; AI research, safety, regulation and policy; the effect of AI on "
        "work and society; and the data centres built to train and run AI models."
    ),
    seed_terms=(
        "artificial intelligence",
        "AI",
        "A.I.",
        "AGI",
        "machine learning",
        "deep learning",
        "neural network",
        "large language model",
        "language model",
        "LLM",
        "generative AI",
        "GenAI",
        "foundation model",
        "AI model",
        "chatbot",
        "AI assistant",
        "AI agent",
        "agentic",
        "ChatGPT",
        "GPT-4",
        "GPT-5",
        "OpenAI",
        "Sam Altman",
        "Anthropic",
        "Claude",
        "Google DeepMind",
        "DeepMind",
        "Gemini",
        "Copilot",
        "Llama",
        "Meta AI",
        "Mistral",
        "xAI",
        "Grok",
        "DeepSeek",
        "Hugging Face",
        "Perplexity",
        "Midjourney",
        "Stable Diffusion",
        "text-to-image",
        "deepfake",
        "computer vision",
        "natural language processing",
        "reinforcement learning",
        "training data",
        "AI training",
        "AI safety",
        "AI regulation",
        "AI Act",
        "AI chip",
        "AI data center",
        "AI infrastructure",
        "superintelligence",
    ),
)

CHIPS = TopicSpec(
    slug="chips",
    name="Chips",
    description=(
        "Semiconductors: the companies that design and make chips; processors, "
        "GPUs and AI accelerators, memory and other chips as products; chip "
        "factories (fabs), foundries, wafers and lithography equipment; chip supply "
        "chains and shortages; and government chip policy such as export controls "
        "on chips and chip subsidies."
    ),
    seed_terms=(
        "semiconductor",
        "chip",
        "microchip",
        "chipmaker",
        "chipmaking",
        "chip maker",
        "chip design",
        "chip shortage",
        "chip export",
        "chip factory",
        "chip plant",
        "CHIPS Act",
        "processor",
        "CPU",
        "GPU",
        "AI accelerator",
        "AI chip",
        "memory chip",
        "DRAM",
        "NAND",
        "flash memory",
        "HBM",
        "high-bandwidth memory",
        "foundry",
        "fab",
        "wafer",
        "transistor",
        "lithography",
        "EUV",
        "nanometer",
        "2nm",
        "3nm",
        "TSMC",
        "Taiwan Semiconductor",
        "Nvidia",
        "Intel",
        "AMD",
        "Qualcomm",
        "Broadcom",
        "Arm Holdings",
        "ASML",
        "Samsung Electronics",
        "SK Hynix",
        "Micron",
        "SMIC",
        "Applied Materials",
        "Lam Research",
        "Tokyo Electron",
        "GlobalFoundries",
        "MediaTek",
        "Texas Instruments",
        "Huawei Ascend",
        "Blackwell",
        "H100",
        "H20",
        "TPU",
        "Xeon",
        "Ryzen",
        "EPYC",
        "Snapdragon",
    ),
)

TRADE = TopicSpec(
    slug="trade",
    name="Trade policy",
    description=(
        "Trade policy: tariffs and import duties; import and export restrictions "
        "and export controls; sanctions and embargoes that restrict trade; trade "
        "agreements, trade talks, trade disputes and trade wars; the World Trade "
        "Organization; customs; and screening of foreign investment."
    ),
    seed_terms=(
        "trade policy",
        "tariff",
        "reciprocal tariff",
        "retaliatory tariff",
        "import duty",
        "import tax",
        "customs duty",
        "levy",
        "anti-dumping",
        "countervailing duty",
        "trade war",
        "trade deal",
        "trade talks",
        "trade agreement",
        "trade pact",
        "trade negotiations",
        "trade dispute",
        "trade tensions",
        "trade truce",
        "trade barrier",
        "free trade",
        "free-trade agreement",
        "protectionism",
        "export control",
        "export ban",
        "export restriction",
        "export curbs",
        "import ban",
        "import quota",
        "entity list",
        "sanctions",
        "embargo",
        "WTO",
        "World Trade Organization",
        "USTR",
        "trade representative",
        "commerce department",
        "Section 301",
        "Section 232",
        "customs union",
        "customs checks",
        "de minimis",
        "USMCA",
        "NAFTA",
        "investment screening",
        "CFIUS",
    ),
)

CLIMATE = TopicSpec(
    slug="climate",
    name="Climate & energy",
    description=(
        "Climate change and the energy transition: global warming, emissions and "
        "carbon policy, climate summits, extreme weather linked to climate; "
        "renewable energy, electric grids, batteries, oil, gas and nuclear power."
    ),
    seed_terms=(
        "climate change",
        "global warming",
        "climate crisis",
        "greenhouse gas",
        "carbon emissions",
        "emissions",
        "net zero",
        "carbon tax",
        "Paris Agreement",
        "COP28",
        "COP29",
        "renewable energy",
        "solar power",
        "wind power",
        "wind farm",
        "electric grid",
        "battery storage",
        "electric vehicle",
        "fossil fuel",
        "oil price",
        "natural gas",
        "OPEC",
        "nuclear power",
        "heatwave",
        "drought",
        "wildfire",
    ),
)

SPACE = TopicSpec(
    slug="space",
    name="Space",
    description=(
        "Space exploration and the space industry: rocket launches, satellites, "
        "space agencies and private launch companies, missions to the Moon and "
        "Mars, space telescopes and astronomy."
    ),
    seed_terms=(
        "spaceflight",
        "spacecraft",
        "space station",
        "space agency",
        "NASA",
        "SpaceX",
        "rocket launch",
        "rocket",
        "satellite",
        "orbit",
        "astronaut",
        "International Space Station",
        "Starship",
        "Falcon 9",
        "Blue Origin",
        "ESA",
        "moon landing",
        "lunar",
        "Artemis",
        "Mars",
        "telescope",
        "James Webb",
        "asteroid",
        "astronomy",
        "Starlink",
    ),
)

SECURITY = TopicSpec(
    slug="cybersecurity",
    name="Cybersecurity",
    description=(
        "Computer security and privacy: hacks and data breaches, ransomware and "
        "malware, vulnerabilities and patches, state-sponsored hacking, "
        "surveillance and online privacy."
    ),
    seed_terms=(
        "cybersecurity",
        "cyberattack",
        "hacker",
        "hacked",
        "data breach",
        "breach",
        "ransomware",
        "malware",
        "phishing",
        "vulnerability",
        "zero-day",
        "exploit",
        "security flaw",
        "patch",
        "botnet",
        "spyware",
        "encryption",
        "password",
        "surveillance",
        "privacy",
        "DDoS",
        "CISA",
    ),
)

HEALTH = TopicSpec(
    slug="health",
    name="Health & biotech",
    description=(
        "Health, medicine and biotechnology: diseases and outbreaks, vaccines and "
        "drugs, clinical trials and drug approvals, hospitals and public health, "
        "gene editing and the pharmaceutical industry."
    ),
    seed_terms=(
        "health",
        "public health",
        "disease",
        "outbreak",
        "pandemic",
        "virus",
        "COVID",
        "vaccine",
        "drug",
        "FDA",
        "clinical trial",
        "patients",
        "hospital",
        "cancer",
        "treatment",
        "pharmaceutical",
        "biotech",
        "gene therapy",
        "CRISPR",
        "WHO",
        "obesity",
        "Alzheimer",
    ),
)

ECONOMY = TopicSpec(
    slug="economy",
    name="Markets & economy",
    description=(
        "The economy and financial markets: inflation, interest rates and central "
        "banks, jobs and wages, growth and recession, stock and bond markets, "
        "company earnings, mergers and currencies."
    ),
    seed_terms=(
        "economy",
        "inflation",
        "interest rate",
        "Federal Reserve",
        "central bank",
        "recession",
        "GDP",
        "unemployment",
        "jobs report",
        "wages",
        "stock market",
        "stocks",
        "Wall Street",
        "stock index",
        "Dow Jones",
        "Nasdaq",
        "bond yields",
        "earnings",
        "quarterly profit",
        "revenue",
        "investors",
        "merger",
        "acquisition",
        "IPO",
        "currency",
        "dollar",
    ),
)

POLITICS = TopicSpec(
    slug="politics",
    name="Politics & elections",
    description=(
        "Government and politics: elections and campaigns, parliaments and "
        "Congress, presidents and prime ministers, parties, legislation, courts "
        "and political scandals."
    ),
    seed_terms=(
        "election",
        "vote",
        "voters",
        "campaign",
        "candidate",
        "poll",
        "president",
        "prime minister",
        "parliament",
        "Congress",
        "Senate",
        "House of Representatives",
        "lawmakers",
        "legislation",
        "Supreme Court",
        "Democrats",
        "Republicans",
        "political party",
        "government",
        "White House",
        "minister",
    ),
)

SCIENCE = TopicSpec(
    slug="science",
    name="Science",
    description=(
        "Scientific research and discovery: physics, biology, chemistry, earth "
        "science, palaeontology and archaeology; new studies, experiments and "
        "findings published by researchers; quantum technology."
    ),
    seed_terms=(
        "science",
        "scientists",
        "researchers",
        "study",
        "research",
        "discovery",
        "experiment",
        "physics",
        "biology",
        "chemistry",
        "fossil",
        "dinosaur",
        "archaeologists",
        "evolution",
        "species",
        "quantum",
        "particle",
        "journal Nature",
        "peer-reviewed",
    ),
)

SPORTS = TopicSpec(
    slug="sports",
    name="Sports",
    description=(
        "Sport: football, basketball, baseball, tennis, cricket, Formula One, the "
        "Olympics and other competitions; matches, results, players, coaches, "
        "transfers and leagues."
    ),
    seed_terms=(
        "sports",
        "football",
        "soccer",
        "NFL",
        "NBA",
        "MLB",
        "NHL",
        "Premier League",
        "World Cup",
        "Olympics",
        "tennis",
        "golf",
        "cricket",
        "Formula One",
        "championship",
        "tournament",
        "head coach",
        "playoffs",
        "quarterback",
        "striker",
        "Grand Slam",
    ),
)

TOPICS: tuple[TopicSpec, ...] = (
    AI,
    CHIPS,
    TRADE,
    CLIMATE,
    SPACE,
    SECURITY,
    HEALTH,
    ECONOMY,
    POLITICS,
    SCIENCE,
    SPORTS,
)

CORE_TOPICS: tuple[str, ...] = ("ai", "chips", "trade")


def topic_by_slug(slug: str) -> TopicSpec:
    for spec in TOPICS:
        if spec.slug == slug:
            return spec
    raise KeyError(slug)
